#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes tests/unit/dnssec_vectors.h: DNSSEC test vectors made by dnspython
2.3's dns.dnssec (an implementation nobody here wrote), for test_dnssec.c.

For each algorithm (5 RSASHA1, 7 RSASHA1-NSEC3-SHA1, 8 RSASHA256, 10 RSASHA512, 13 ECDSAP256SHA256,
14 ECDSAP384SHA384, 15 ED25519, 16 ED448) there is a KSK (flags 257) and a
ZSK (flags 256) for example.; each key comes with dnspython's key tag
(dns.dnssec.key_id) and its DS for digests 1, 2 and 4 (dns.dnssec.make_ds).
Signatures (dns.dnssec.sign, fixed inception and expiration): the ZSK signs
an A RRset, the KSK signs the DNSKEY RRset. Special cases: a wildcard
(*.example. signed, presented as a.b.example.), mixed-case owner and signer
with names in the RDATA (MX, NS), an RRset in non-canonical order with a
duplicate (A, and MX where two records differ only in case), and TXT records
whose canonical order is not their length order. Each signature comes with the
exact data dnspython signs (dns.dnssec._make_rrsig_signature_data) and is
checked with dns.dnssec.validate_rrsig before it is written.

Keys are fixed: RSA keys are embedded below (PEM, generated once), EC and
EdDSA keys are derived from fixed seeds. RSA PKCS#1 v1.5 and EdDSA signatures
are deterministic, so rerunning reproduces the header byte for byte except
the ECDSA signatures, which are randomized (cryptography has no RFC 6979).

Needs Debian's python3-dnspython (2.3) and python3-cryptography. Run:
    /usr/bin/python3 tests/unit/gen_dnssec_vectors.py > tests/unit/dnssec_vectors.h
"""
# fmt: off
# RSA keys, generated once with cryptography (rsa.generate_private_key(65537, 2048)).
RSA_PEM = {
    "rsasha256-ksk": """\
-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEAtJqSAp3PP3FgNA7QfxUV+QXv48Xd9lt40S5/6eoOQVeZl9mc
sNniNA1DS+zjmFw9ghxE3Xb4xPjsTT+63Acsue+QMPRlcQvufkPTlIbpkR6nXujb
gSx4hkMGn5iUIJESucYBejrt36MoWO61RuS2uMesO7IYJKlXfICsGRmjgsj01jTB
oJaC971s/eE8RyOhr4m28UlVZuZhQmVoO2X/MaSyID9+mQSoohfnSE/HbnIrEFGM
rMwpyiU1gJ9RWewto8I7hAMAbw4GKyPSsqtownxK4qky47nNL6SVzfzxYcYbiDnQ
FXDv5LiYy7jEUQeawu2SlURu6fwqUMROa4GFcQIDAQABAoIBAFP40G2uAUgOx3u8
7Z1A6RP9ejHt9IuQsUaVd70DafhgqhXsBMpHrECmcAVT0eir7p9Z1H0iTX2L/ZbX
TGL0ZQvYwrK4V5gtw4hqsewLpHqohYp/+1t+mVVXwbMf5rOTsGC3G0XBM4u5WU+s
QZYCTqDwmfixkD8vi3FkhGAxRxDN5Tc830cHsxvvKuE/7H0y+hGhroXoYXZtMCN4
iT5lHGwRUO4nQRZSz8ooKS5R6dIhkP2xPvOewYA5VyDqVye8+eInsXv6/ru4tMnZ
L3kBWTr2GSSTH2Yjgtyqjag7XWy77xdN6xs8VTtEkJ27igMWMNa324ycYkS7EKb2
4NF/uE8CgYEA6iKoTXuz7AKkMcGhUaaO8ejU+spbHlD3AXjgEAkCLisM+if11khs
OS+WZj7ZDjpA1YHZr1zPp3LIIMHLXWk5iU8mp3UGW0PnwDHq4Y9PgQARo1lkoAQL
lrXKSuk+Twe3JzlUvTVt8Pown15QW094tsY/3nVhH/L5SR3JuXAnGzcCgYEAxXgp
0od7njkxYvycjSY1NkrnBhhlqE6tFmEqvS0/4arOeEnP9E7dmiwdte1um0t+oRg1
qlFWVJ8g94G751IhdlyZ1XtuU1NWbN3qDAIP3g/Oe1+UE0xEmrXXxPqN4mXxd55O
1p6jNoCgTAsOiy+JZ7hWKO6k8UXQBOzmMZ//SJcCgYBuCeXRrK7N4BvtKpS3vDD4
brYSPCKA6Ap+zaF4x9MXgbIyq681i4oZgk0MNsNqlWQ9NC7r5RHPH/oAszPx7e9V
ojaHg09+ezajNJKwedsixLaFcBEDx4LuzPeLJ33aRMUGkUJLPp4yIFPTws6/a2VP
eXMxCTehfV89xts05QnsFwKBgHxMoF7SQ4EcVTcO9ehvhY1QZs3Sa6MfKxrsPP/p
zM1bPC5BoDITtrBGVsle1IHSaroyyA0Wt/X6WMETm9kHPOMJdRgJYy/2RG+w3JOE
dMJ+RqYoSsg++Ow9zL1ETi2VqAJ41v2HzAsRulVDnHsGiEKOqUWIurDZFhEToe7Y
3NOvAoGADvOvS7JT+rfx8k+4RMlKVYEeRfce14osxRSp1LUcsJnqABmAHH42gz7/
NvA5PufT34BPHTc29IYczTiM9eksXkppa6M0Zz7g6gUV+/4OSWqHVeKfpiXcwUVj
6eWtBCOpil8sbDdgTDCxV72aLnOHS9oTBPNdnEqA6/S9WBzQDt8=
-----END RSA PRIVATE KEY-----
""",
    "rsasha256-zsk": """\
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEArCzaa9T1FxhjNle/yFj2xv7XShuQYfejojYmQYGJNus74Zp6
ER8NtddxZpUfoQc7pleuUkWHZDg29vdoLsJtwOZiZ+q/MAWf3ctPQKDKzk5/RlzJ
yILFYrlhUlYfaehOtvdUDkjxyiFETaH1VTZrt8DRcsbgvxkbtBnVG68DWC5O2Hpu
MSpyTuuj54huI3FmiAPo7dXecHCkChTvFL9jB7djx/q9ZDzY04rPm4bvZMoShgPC
u9HiFCR3Zvh3rsTtprlbquJaJQF7ldZXSiIYir391tdnB+uIB3LA0Mbxh7kj9cWY
2oSbj6GyTabu6/y9cK2msM3hcdH8NX3DLX0JDQIDAQABAoIBABt9N8xSnmT3FFQH
U4vpxFDGPFpNJ1K05o/OBHKd+2nkydU9xDJ6mkZHpQfjVD7x+DCZPDBPgIvcO85X
du9MRJixT9HWlXrV0w3m2XrwkSC6QLDbvK3CT0BxZ5vtOyu+Ft84gtebBtumTxD0
BEb8HtuiMe6Y2SY5nIY3P6KhYS/RRaBbPhhdcZqPs7akQ1G62Jn1btt9WT2Vv2DC
YN7OdFqlg3bRJJdw6FzTU4N3WYEI+L/Ba1FoUPlz2M8zN6uG9xQ/ubz/8RvNGsUw
zoowL55UsojTJKuT38VzgnzlOuyyxpzvRp29qlkFOYWARLoUU/ITuiBuwG/dTidG
baWRB8ECgYEA5XaLVf/bQg8EL2eubak4tN4VX8NN7IWIMzSqco0WSvDldCBT6XSc
oaHUabljmQdE6QdDn58FlTZWZwMc+P7mtmoD3e7NYBNrTMcF2VZViYogaiHfVQQE
5zE4vXvBoyHuHlHhUTvTWhcx49jTOvqWBo4g8/39JFvFCXP/Irhy6C0CgYEAwBZA
aI+QSxOTlDLuWKcvmMZAFeJdEAySz4d2BNy4ilrphMeA+A7bUWqBdR5XCOWD2KEi
JWqiItClh5l5Vyf7BZpFjzwPJrm2OCWLZPXfhkSDYI9ozC8R79E9rBORn4dUvuqD
+veuO2X5siGlz7QQSaJlQP0lZOhnQHhZ/akZUGECgYBpvClSlJZ9Jxw/l+Apifum
ZFunCAEFRzbOmasdI+Qs3jptO2RPRDvUwxR1L0c0wcPAOWewyv8wlZxU1XtpRVQc
pFdp0dtzNR+Rfng0gPLjcPGk1jzqGPMFcYn6zmcY+86UzBgubYnjjqKfok8bc1Lk
bGPE6rnWIi92PqxHXIUedQKBgGP/sYw9oPrUuDGgyiBw+QBpxRcffx9JzGwpszEY
zyGH7qXnTqbU5SxfbAHSx7Cj+52dVS9xcfL5+BK9vUO4VqA2DhxhQeoBKHHWadkn
fzRhGpv8TKxvnMDih1672UXZqC6z2/2dT6Ewl2s6xR16Ojh7SIcqwnrj2kzf2smJ
bNpBAoGBAKX5vcy0k7am5X2jNi9rWFvEOw9CY/93nU3YFtZZ6b0B8HMSaySDpHWH
MuzAT3mEBsSTeIWVIMWGieGS86pUbe8stkMImRnbk3+dfWCxCQ9xWLr89IhLO5+8
+ZWQ3qASBkGTQXo9t65r9d1ZiJBJNO3nzCYXb+vQCy8CNzQJ6z/i
-----END RSA PRIVATE KEY-----
""",
    "rsasha512-ksk": """\
-----BEGIN RSA PRIVATE KEY-----
MIIEpQIBAAKCAQEA4R8i+RbJtE0hlVB5adgmFyQ//wH2P7JkVg3KnS5jELw4izOG
SeBmILnTGPZHUXX/SP5TLLQ1BXTK0B7bNep6077Jq8651LozP4RvKggVuzXbi674
BlbXQ5IVpq3KlWsMA8c3u86+RCavgQzoRrsclPCZVlFu8G/ZUWPZfCoBkRH6rev1
zfOLoRDPblMKJRDZFEaEnKtmVYnANQc6CkMZwGNJ6LNQvMTQadA0IvCPP42Su/Og
iDkxWIyWNl99x2+QLVwgm6fQqj54HzE32+CPqcA8aMU2GU+GdKGKRudMSOH0THqW
5jdESZUwiROY9HAxJpStpmAO36Co7PvPjhTwqQIDAQABAoIBADTZvDppqudhD0AQ
YTyj0cdvi3Wo5oCMNymLudQ+WmQIqCan7UAlRhyrO3+Z++LINqtSh8DQOr1h7qY/
BDwrZPQWj5593Rsvro3cH8Pom390tKrdpB1K4GUc4+faV5vOAodViwRUlE8IHP5J
QzOtxFdEB9+fpRGd1JFaxWl0rCL7+puoPm4Wr/td4EUkJTPOKyAxErM6jpBcv6TZ
veUZoy4PnJ4rlPz1PBid3//kRxipHwcGB8Qi6XEoJtPX/rKlJyW3kkGcTRxIwDbh
NzD69FkrDLObI0oHZis6Y/3C0cejgtmr6YKX399xfrywUdsdUUd25hdnSDp/hhfP
O9qx8b0CgYEA8E2RjCdKRQzxJD78MqXrs4MWQztR+ymEpX/lRUVwCOQXD2wku/Qw
uNKHhp3CvgSFDYoqnA23zLRTsaXCGN26W6tbA+2T8ECOrV1nsFJqCLf5OlpPtn/j
NE572CSCerBxx+MaYourE+qPu9nTbGZxDACynMrPXCf2LCnzEZMULR0CgYEA79Oz
JEQWR387X8cYNS2M+26I8i3JHkCTe3GX9mkPpJnpm4PYd5kzNTTOy/9+il8KRcX8
XkVkOmxykCXuEhylUHrSMf7SC7jeZsKLotzmXQM/8ej9uunsK4DbUA35Dpoq/VmX
/cUmZc0ifuskGGoe3mMMY8nibPJHuOSbEr911/0CgYEAzxj6xAAkiOgDdsp1jazj
Op1R9XVNTRlWAU/9JrsWOANjQF5iNj3YM6D1PfX+nMbGaInX+Q/1hI0wyBxj8Aw/
jLtcQEFjSx5IGG80aohMa+EqALlOk6kaBb1SDFBCxzwDg1JdLerS8OIpJ6suA/Ex
ojeDt48uMG0cQqmQm2fXbp0CgYEAu3UD/4Lgzz3aEQE0IMzb9+PsUzAKlgTvwnuF
xmtUeNp9SLuDxegPqLUAN2Abbtje1K7ullkzAJ+n5JhhP/L4HLID/mQpllQIMtY6
AzEbNvTFVLdDLIiPu2lbA3YIiKtkkucm8IrbepMfNYlii1rXighttMomm/W8rf6y
X7Mbz5kCgYEAkIpB+hL9tgEUbi4SZWDKnvTsPbZfspgv4NojmjkDn5GuSrKV8MSs
PzcRUxlJX/7o/oPIW+D0A7NX5nc2zeCuZaTqWYz1/B8bldgKz4HZ0+EmUyEL5VsP
7uHOPp/4W3JOnnB7Le5k/aI38KzWMIv0JH7JUKzdz+ffRxx9fHQ38oM=
-----END RSA PRIVATE KEY-----
""",
    "rsasha512-zsk": """\
-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEAv3G3vpo8Q6e792KUeE6BANNq7sxFfZx5xMJfBx7LFgyFOw+4
5M4hTMUs+CDYIP4CFP1/r5sP9LKT4Xmm+sWo5NsV2JcKRuKlYwNlfLA2MpUWPiF8
G405K0uG2LPXZC7W0RPnbAhP0iCaQx750UqJ2MAAK3s/wuEGY8LCrDyCrPQG6Ll4
Z2uqcB8ROaV98kO/Vsl455TD5VNO3o855c9TVSRHLN22++HWzWfcqIOXUlqiwlHu
UmYMTYZUvhvlV1StSfGa3KgL5EbcrzV2aLpovuKQf9eGnFggqqJy/bTh387R8XlV
w6AOOhYFYa88rZvmXW9h9K4UJRtf36tV8RbgKwIDAQABAoIBAD9Klq8WaZcKZJuY
RTJy7bY6rw8MjGrHKQCyK918QjLjZ8aLX5qRRTQOudu8bAeYQlLzLdv9/SvuP/Ka
l+gvIbOrdJD6+kROGNRfopUy4nAdltFqm4+2RDC6kvWgmzR9Qbq0hF1UcCMtcSKA
oqGdLW5xp3y4je9dGpIvqNFtXdxUbFPPugSPpe3Tk6dveAGe00JLCwpmVoUT5DIQ
S4iNQbdYsTwLMh5IY0eqhHlexPfMLBcHo8mAu4jQYs2x+zaCAQIeVkxNaTXZEEsa
XiSZK23MeKRUk8tH89d0tbFe6HnnBBl+/Y1WzisTEXn5Clv3F4/a5pGIHJu2hbaN
dmXF8IkCgYEA5u0kOL74SrTWY9rkfIyH2MVfAPKqTuSrN9bP02iMLMfZJUdd8BIv
Z9in1543yNr2upv7jTB+El5cYMxjIRsHp9vGL904SeYQgqYzFuZ52HlQxxfA2Uiz
BFE00sdIpyrP3aBCTIPolQpDjX1n2jqeKJUCZu2W656rrzO1me/6SykCgYEA1Dsg
QPvdsJFEm2YN78wU5XAxb+9GgCO/5pxo+xakN6vcd7ut1/gBZsLqL/2lEAGKgmL3
P9EosfQssVVhxTFW5hUbO1OdClqVHDJqKcjDZWBEibGpNIhr+b4tnR2xGP5pVcDg
Rkcgbh9/C2hOBVxjhP+UrnVTo9tt6y5aeUYOjzMCgYBElydtG3wQZIpRepDnVa57
+pPvaiSf7lfU7B8qwiDwpCOhaQND7YLbK4UfDEWxiShD4VTkaQTpW9HAhrTi/m5V
s3e4e9LeUFGTHN6L7MVAQTh3Cl0jrO5PV/eCq+KulI7NW26V35BTxIqwGhGgxkx3
7VqbS/LJ5YVFMuy73oXPkQKBgGTDndC8xMjsb/KIRd2wu8sjtZU7ufFlB9vqLz3n
xhhYlNiUVznPGns72AzpFNHAqY62hkXafMPg9sdLjpwdjPC43LESReGAmINGvHkS
RROA3YmyvG+gxgNRdD7AtjDzufdpGBLF+nPOqHc2ErUg5G9lGaarNgb6S/n5jCNA
S/FZAoGAeF3h4jMvV7MFC04glBlJStcciLwJlmgmYXWDM3MprJ5LTwvNvp8drDcD
TWQb2RG8Rp+J9f7JNfnO4ZuJO63150jXdHxlDYrwEBnWbJqq5mdIaBgmGjTjtOPS
uQA7Pqkfd7186xeNlYBWmFoPCXN7wJ6s8JW7K3V/HhCNYLmS9to=
-----END RSA PRIVATE KEY-----
""",
    "rsasha1-ksk": """\
-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAr3mRQ0HvUg70EwrnFcdEpQI6FyhD5n3nBYcIw4IO+8NsCYFL
f/NaBtneECCTPFOU7CeYsKute86xb2Cnv5rUoCq5psrfq7bcCFJALDUR2PswjcQ2
ND9LSX2U/gwG3I4Y5kTholgvwlr8R6MXAsuGvgfCvixeztWg5Af5Rfo3rzEvFNcc
IdnGG2yLUqnisTqJTigDepK/tilDtmQYBjYIz+edoOD+tabzPeMMpBQ1yR+ILoCg
q58LH9G7hMGAtcZmQ1fyaq3J7haqy3S9aySACJlhykZnCxTFRs8juWJWicxGCRdg
U48WD5ujKQWX9yQDw8/hrQdWQn2w5JY3BfIS4QIDAQABAoIBACetVpgNaOKWYICM
ys89GUuxWvbBA0dzKQFyNNxWRHKPj9Z/XpW+LhlV+pUNdJVjtc0HMAqkqwvPYwYS
5iNYTGMx/fwVq+ktJggYpwuH7XLxa1tm5jW+qRSjOYUPLZ8B32Xz5cwaYiQxhBFj
snCOmjdOVG3BZSeiHOjq16XHy/8IAUC2cgiXzKZh+RiCkJVSykB8wdzglLPu7gKC
suirFjZkg5ADolkcLc3ehkBdKeumYKSciRJVUSJQRRopIcir7egjbCxaPhx4gjzY
FOBP85VIas2fgnL+keSjWGC0rBVK4K7x2b9ksTSTJ++OQiX++CyKUEnB+Ruw5Rs8
T8ktHwUCgYEA4LUj9T5wG6F4mVa3CE0qUPAn8bvQhldO+TNEc9J0gDvsjEXj8it6
QEUchL9KBstDSJ5e1ml6nnKFnvzua1tmUSVmsJpLkWpg842ZomUtigPnGL4nv4rs
dfbBtlpKVVb4wwchMyqU+1b+O9KUdg3OAEMKaoVMQSMLv1KbAzQAZVUCgYEAx+lG
AGk30ENgtREqFdVK/Eqd+lE/G06Gb+xSq4iXXuAk5HBZtlyIUhuTUfLnvtn9zzH+
xQfPOQaI/LTFaBRpGVFq3cRwbi99eNqhCOc53/MD2YZ1dA8GWA8htDeP/G5e9Hin
9E+lCvltC5fKnHr92H7myLcrGCJyVxQLgFvoN10CgYEAufFK0wqazFJ+sCyQgv8P
sDA6bY9kC3a98/qXf1w8aUys/ppq+J8/p2VJJxP/lsWmZLYgdj6MaAcOSTS1ugLF
FQrlAeh79dXYalHXOwmMeHOoTNI1pAu6hhbtzw7CCgJREVmaAHQRGjavZCNqFJJx
z8eqG+E364KrmuMpQKpMVY0CgYA0rsYS36eky8zVitNzc4VSXXuqdvTRhm0pW7ch
m1qA10MBrJYH1/TY5ol5ZDEse5hGnR9N31P97Dn3ltAbMJ3N3UXzcYxLjVpcmgks
Jnt7CDjwf12+myMJ29r++lGIrbF6bb2dRcvxy2+wSW1MtaDmB/Nb2+GQd6t4RUEO
r6nPxQKBgQC99MYPtJ3RFsUe7NDh9eghBXnnI5oYbQgDIQ2agz6cF/L0he0vSk9J
h5/ddxWFDE90fZOgl0b9rLfHqNHWHB9hCT0ayvDIFOzi8osTQrAxxSGAWGyztyQ6
n0j0rynShb2jj9Q5xuOEx1F/owb7wPjF2H5pXMwAtnIUy/pCWH0FbA==
-----END RSA PRIVATE KEY-----
""",
    "rsasha1-zsk": """\
-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEAs/yYiuEiDwgghB5JaSElXPoIP9hTyACKKsazSdMLof51zAfh
ZF3XQEiOY8ZDe4byoekm/jPXMY+QFRGRheatOlWPOtybQDTam8Ea2VO+uDqnU4TV
Ks+XZ7zmZOqWWtEuyKqZff2RzJcN8C8mwXZGthtqVtpCjOsVoaGJoWBLIu7CCajE
JPLsfZ5qggQDyeySW7dmSrBtV8MPvQioo80SIN3jbu2mNh2Mgfq2XoELft2x4O4R
JmhZONTY+tTgD4jjL/N93W15+/sHENTSU7zD/3XBRuzOUf5ZZr+9pZHK3ogjJdH1
1ifahpD1ym1D3EUMzpFtqHPU64KCgO/2F/VlAwIDAQABAoIBAEbmQdCzTo9NTEG/
DHv1Kpqtg4Ji3N30GHkxPH7gO7zcV9q/X/IBZUFVU4HKH9sRFZLiHRIVqbdELiWe
fgyZCbPo8Drnm+B28YZZUxI5Au/favpjYPU0QRgEOV2XaxLrQ9qYGU6gDEbjWgI7
ELE0vjYOJp1/7KdGE4dP8r83B2ICshKu62g3oy3CBqejf945kGm7iKOvf4sgZhsG
JGVGso6M0yGqryw5gDXtRxnkFUyA6zBio671J3B38/c8NwSGFfO4tJcX3ToIlEaR
Q17KXSZofsjNZ2EMw6wjMR4KPQlEjR8k37BhUl4l6ylsUc+5AOucRB1pLtyi46Xr
qf5in8ECgYEA2/j1Sq5ei8wstdPo6kgiBqn2YVrXpQFIosHmdtZDllFP758jA9CQ
FjORrsYGexFVtpXVAEPz4xCK4GpMdd3ozEE2sti5uV0PJSUbFMDjIPW7hidceCm9
/KoeMWIYwgNAWOXlbfYa6ywZFoldjB+EiHM+sSZ6A8P+NTptSJPv8G0CgYEA0Xcb
aqMNzJvQip5MNc+ZsQbB3k+EqPnmYeuK6rBQDMZwBy7uPtj41PQT26eZbow/89LG
XPJkX5JcLEvUqzzW9jr8z03hUyAsPIZdigIYHD9g2mgHzoRkfX3P+8pNNqzG5Mnw
gkUblXoeS3e5sPRBbEYXKWl9Tgrcb3V7JGl6pS8CgYEAhnaXkrAmETScvAUuYk/3
pLUua3J5UV8IhJ0cgNYW+IL55xMS91j9SuT5D6ny+jWtfG/4hTIEmm9ZRTcVSBN/
I6RViFvco8eT43PcKwKBlHtBxw62gqmZfiKLVEqPscEFC5J0fZQr/ke1ikYrzeTS
QgqYbveDLFwZP3ZYqT3tNL0CgYBGFo2k8+RFJ4nzKB6mDs4FbxZltcPU6rGM6Ey2
VMKkU63eqXRssRsp3nXalM0BMYqgolFffnfZhtayt7j0h0oCYCCBmTShJO3IXslj
yWmZ4hcdXZvnHWOmnfd+7+VAOzXeDjgcztT5AkCqzefjbweJHDbZ04NrHrU90lif
CXBRXwKBgQCRxgUHU0RMdxUVmMNTlbNo7wmpvP3eU/E+XTSwjmElq930sw826GKs
Not3VJsrIc5LtkGLXMB5XH/fd9B14HX7RYeunKYRHXaWQAtyWgxVT59GsVOmrypo
Iq5ts7JSPHE8KPvvriAx2kYqQlRer8m6NjdSQZMx/mr6yRnEBOWFcA==
-----END RSA PRIVATE KEY-----
""",
}
# fmt: on

import hashlib
import struct
import sys

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.version
from dns.rdtypes.ANY.RRSIG import RRSIG
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, utils

assert dns.version.MAJOR == 2 and dns.version.MINOR == 3, dns.version.version

POLICY = dns.dnssec.allow_all_policy  # RFC 8624 policy would refuse SHA-1
INCEPTION = "20240101000000"
EXPIRATION = "20340101000000"
NOW = 1800000000  # 2027-01-15, inside the window, for validate_rrsig
ZONE = dns.name.from_text("example.")
DIGESTS = (1, 2, 4)


def seed(label: str, n: int) -> bytes:
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"holdfast dnssec vectors %s %d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


def private_key(alg: int, role: str):
    label = "%d-%s" % (alg, role)
    if alg in (5, 7, 8, 10):
        # 7 (RSASHA1-NSEC3-SHA1) reuses the RSASHA1 keys: same key, other algorithm number.
        pem = RSA_PEM[{5: "rsasha1", 7: "rsasha1", 8: "rsasha256", 10: "rsasha512"}[alg] + "-" + role]
        return serialization.load_pem_private_key(pem.encode(), password=None)
    if alg == 13:
        n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
        return ec.derive_private_key(int.from_bytes(seed(label, 32), "big") % (n - 1) + 1, ec.SECP256R1())
    if alg == 14:
        n = int("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
                "581a0db248b0a77aecec196accc52973", 16)
        return ec.derive_private_key(int.from_bytes(seed(label, 48), "big") % (n - 1) + 1, ec.SECP384R1())
    if alg == 15:
        return ed25519.Ed25519PrivateKey.from_private_bytes(seed(label, 32))
    if alg == 16:
        return ed448.Ed448PrivateKey.from_private_bytes(seed(label, 57))
    raise ValueError(alg)


def raw_sign(priv, alg: int, data: bytes) -> bytes:
    """The signature step of dns.dnssec.sign, for templates sign() cannot make."""
    h = dns.dnssec._make_hash(alg)
    if alg in (5, 7, 8, 10):
        return priv.sign(data, padding.PKCS1v15(), h)
    if alg in (13, 14):
        octets = 32 if alg == 13 else 48
        r, s = utils.decode_dss_signature(priv.sign(data, ec.ECDSA(h)))
        return r.to_bytes(octets, "big") + s.to_bytes(octets, "big")
    return priv.sign(data)


def wire_name(name: dns.name.Name) -> bytes:
    return name.to_wire()


def c_bytes(ident: str, data: bytes) -> str:
    lines = []
    for i in range(0, len(data), 12):
        lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    if not lines:
        lines.append("\t0x00, /* empty */")
    return "static const uint8_t %s[%d] = {\n%s\n};\n" % (ident, max(len(data), 1), "\n".join(lines))


def c_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


out = []
keys = []  # (ident, alg, flags, rdata, tag, {digest: ds}, priv, dnskey)
sigs = []


def add_key(alg: int, role: str):
    priv = private_key(alg, role)
    flags = 257 if role == "ksk" else 256
    dnskey = dns.dnssec.make_dnskey(priv.public_key(), alg, flags=flags)
    tag = dns.dnssec.key_id(dnskey)
    ds = {}
    for d in DIGESTS:
        ds[d] = dns.dnssec.make_ds(ZONE, dnskey, d, policy=POLICY).to_wire()
    ident = "dv_key_%d_%s" % (alg, role)
    out.append("/* %s: example. DNSKEY %s */\n" % (ident, dnskey.to_text()[:60] + " ..."))
    out.append(c_bytes(ident, dnskey.to_wire()))
    for d in DIGESTS:
        out.append(c_bytes("%s_ds%d" % (ident, d), ds[d]))
    keys.append(dict(ident=ident, alg=alg, flags=flags, tag=tag, priv=priv, dnskey=dnskey, role=role))
    return len(keys) - 1


def add_sig(label, key_index, wrong_index, owner_text, rdtype_text, records, ttl=3600,
            signer_text="example.", sign_owner_text=None, rrsig_labels=None):
    """records: list of RDATA texts, in the order presented (duplicates kept)."""
    k = keys[key_index]
    owner = dns.name.from_text(owner_text)
    signer = dns.name.from_text(signer_text)
    rdtype = dns.rdatatype.from_text(rdtype_text)
    rdatas = [dns.rdata.from_text(dns.rdataclass.IN, rdtype, t) for t in records]
    presented = dns.rrset.from_rdata_list(owner, ttl, rdatas)  # a set: duplicates go
    if rrsig_labels is None:
        rrsig = dns.dnssec.sign(presented, k["priv"], signer, k["dnskey"],
                                inception=INCEPTION, expiration=EXPIRATION, policy=POLICY)
    else:
        # dnspython 2.3's sign() counts the "*" label of a wildcard owner
        # (labels = len(name) - 1); RFC 4034 §3.1.3 does not. Build the
        # template by hand and sign dnspython's signed data for it.
        template = RRSIG(dns.rdataclass.IN, dns.rdatatype.RRSIG, rdtype, k["alg"], rrsig_labels,
                         ttl, dns.dnssec.to_timestamp(EXPIRATION),
                         dns.dnssec.to_timestamp(INCEPTION), k["tag"], signer, b"")
        data = dns.dnssec._make_rrsig_signature_data(presented, template)
        rrsig = template.replace(signature=raw_sign(k["priv"], k["alg"], data))
    data = dns.dnssec._make_rrsig_signature_data(presented, rrsig)
    keyset = dns.rdataset.from_rdata_list(3600, [k["dnskey"]])
    dns.dnssec.validate_rrsig(presented, rrsig, {signer: keyset}, now=NOW, policy=POLICY)
    ident = "dv_sig_%d" % len(sigs)
    out.append("/* %s: %s\n *   %s %d IN %s { %s }\n *   RRSIG %s */\n" % (
        ident, label, owner_text, ttl, rdtype_text, " | ".join(records),
        rrsig.to_text()[:90] + " ..."))
    out.append(c_bytes(ident + "_owner", wire_name(owner)))
    for i, rd in enumerate(rdatas):
        out.append(c_bytes("%s_rd%d" % (ident, i), rd.to_wire()))
    out.append("static const uint8_t *const %s_rdata[] = {%s};\n" % (
        ident, ", ".join("%s_rd%d" % (ident, i) for i in range(len(rdatas)))))
    out.append("static const uint16_t %s_rdlen[] = {%s};\n" % (
        ident, ", ".join(str(len(rd.to_wire())) for rd in rdatas)))
    out.append(c_bytes(ident + "_rrsig", rrsig.to_wire()))
    out.append(c_bytes(ident + "_data", data))
    sigs.append(dict(ident=ident, label=label, alg=k["alg"], key=key_index, wrong=wrong_index,
                     rdtype=rdtype, ttl=ttl, n=len(rdatas), rrsig_len=len(rrsig.to_wire()),
                     data_len=len(data)))


ALGS = (8, 10, 13, 14, 15, 16, 5, 7)
index = {}
for alg in ALGS:
    index[alg, "ksk"] = add_key(alg, "ksk")
    index[alg, "zsk"] = add_key(alg, "zsk")

A3 = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
for alg in ALGS:
    ksk, zsk = index[alg, "ksk"], index[alg, "zsk"]
    add_sig("alg %d: ZSK signs www.example. A" % alg, zsk, ksk, "www.example.", "A", A3)
    ksk_text = keys[ksk]["dnskey"].to_text()
    zsk_text = keys[zsk]["dnskey"].to_text()
    add_sig("alg %d: KSK signs the example. DNSKEY RRset" % alg, ksk, zsk, "example.", "DNSKEY",
            [zsk_text, ksk_text], ttl=86400)

add_sig("wildcard: *.example. signed (labels 1), presented as a.b.example.",
        index[8, "zsk"], index[8, "ksk"], "a.b.example.", "A", ["192.0.2.7", "192.0.2.8"],
        rrsig_labels=1)
add_sig("wildcard, Ed25519: *.example. signed (labels 1), presented as a.b.example.",
        index[15, "zsk"], index[15, "ksk"], "a.b.example.", "A", ["192.0.2.9"], rrsig_labels=1)
add_sig("mixed case: owner Mail.ExAmple., signer ExAmple., MX names in mixed case",
        index[15, "zsk"], index[15, "ksk"], "Mail.ExAmple.", "MX",
        ["20 MX2.Example.", "10 mx1.EXAMPLE.", "30 Backup.Example.NET."], signer_text="ExAmple.")
add_sig("mixed case: NS RRset at ExAmple.", index[13, "zsk"], index[13, "ksk"], "ExAmple.", "NS",
        ["NS2.ExAmple.", "ns1.example.", "Ns.Other.Example."])
add_sig("non-canonical order with a duplicate A record", index[8, "zsk"], index[8, "ksk"],
        "dup.example.", "A", ["192.0.2.30", "192.0.2.10", "192.0.2.30", "192.0.2.20"])
add_sig("MX duplicates differing only in case (one record in canonical form)", index[13, "zsk"],
        index[13, "ksk"], "mx.example.", "MX",
        ["10 MX.Example.", "5 a.example.", "10 mx.example."])
add_sig("TXT: canonical order is octet order, not length order", index[14, "zsk"],
        index[14, "ksk"], "txt.example.", "TXT", ['"zz"', '"a" "b"', '"a"'])

w = sys.stdout.write
w("/* SPDX-License-Identifier: GPL-3.0-or-later */\n")
w("/*\n * Generated by tests/unit/gen_dnssec_vectors.py with dnspython %s: do not edit.\n" %
  dns.version.version)
w(" * Keys of example., their key tags and DS records; RRsets with their RRSIG\n")
w(" * and the exact data dnspython signs. Inception %s, expiration %s.\n */\n" %
  (INCEPTION, EXPIRATION))
w("#pragma once\n\n#include <stddef.h>\n#include <stdint.h>\n\n")
w("/* clang-format off */\n")
w("".join(out))
w("\nstatic const uint8_t dv_zone[] = {%s};\n" % ", ".join("0x%02x" % b for b in wire_name(ZONE)))
w("""
struct dv_key {
	const char *name;
	uint8_t alg;
	uint16_t flags;
	const uint8_t *rdata;
	uint16_t len;
	uint16_t tag;                /* dns.dnssec.key_id */
	const uint8_t *ds[3];        /* DS RDATA for digests 1, 2, 4 (dns.dnssec.make_ds) */
	uint16_t ds_len[3];
};

static const uint8_t dv_digests[3] = {1, 2, 4};

static const struct dv_key dv_keys[] = {
""")
for k in keys:
    i = k["ident"]
    wire = k["dnskey"].to_wire()
    w("    {%s, %d, %d, %s, %d, %d, {%s_ds1, %s_ds2, %s_ds4}, {%s}},\n" % (
        c_str(i), k["alg"], k["flags"], i, len(wire), k["tag"], i, i, i,
        ", ".join(str(len(dns.dnssec.make_ds(ZONE, k["dnskey"], d, policy=POLICY).to_wire()))
                  for d in DIGESTS)))
w("""};

struct dv_sig {
	const char *name;
	uint8_t alg;
	size_t key;                  /* index in dv_keys of the signing key */
	size_t wrong_key;            /* another key of the same algorithm */
	const uint8_t *owner;        /* as presented (wire) */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	size_t n;                    /* records as presented, duplicates included */
	const uint8_t *const *rdata;
	const uint16_t *rdlen;
	const uint8_t *rrsig;
	uint16_t rrsig_len;
	const uint8_t *data;         /* what dnspython signs */
	uint16_t data_len;
};

static const struct dv_sig dv_sigs[] = {
""")
for s in sigs:
    i = s["ident"]
    w("    {%s, %d, %d, %d, %s_owner, %d, 1, %d, %d, %s_rdata, %s_rdlen, %s_rrsig, %d, %s_data, %d},\n"
      % (c_str(s["label"]), s["alg"], s["key"], s["wrong"], i, s["rdtype"], s["ttl"], s["n"], i, i,
         i, s["rrsig_len"], i, s["data_len"]))
w("};\n")
w("/* clang-format on */\n")
