/** The benchmark inputs (Table 25.3, its random-slope variant, Table 25.8 invariance), with a DATA FILE placeholder. */
export const MSEM_MVPA = `TITLE: MSEM analysis ;
DATA: FILE IS @DATA@ ;
VARIABLE:
NAMES ARE mvpa peers advant treat school ;
USEVARIABLES ARE mvpa peers advant treat ;
CLUSTER IS school ;
BETWEEN IS treat ;
ANALYSIS:
TYPE = TWOLEVEL ;
ESTIMATOR = BAYES ;
BITERATIONS=100000 (50000); BCONVERGENCE =.01;
MODEL :
%WITHIN%
mvpa ;
mvpa ON advant peers (p1wc p2wc);
peers WITH advant ;
%BETWEEN%
[mvpa] ; [advant] ; [peers] ;
mvpa ; advant ; peers ;
mvpa ON advant peers (p3bc p4bc) ;
advant ON treat (p1bc) ;
peers ON treat (p2bc) ;
advant WITH peers;
MODEL CONSTRAINT:
NEW (medadv medpeer tot con1 con2) ;
medadv = p1bc*p3bc ; medpeer = p2bc*p4bc ; tot = medadv + medpeer ;
con1 = p3bc-p1wc ; con2 = p4bc-p2wc ;
OUTPUT: CINTERVAL(HPD) TECH8 ;
`;

export const MSEM_MVPA_RS = `TITLE: MSEM random slope ;
DATA: FILE IS @DATA@ ;
VARIABLE:
NAMES ARE mvpa peers advant treat school ;
USEVARIABLES ARE mvpa peers advant treat ;
CLUSTER IS school ;
BETWEEN IS treat ;
ANALYSIS:
TYPE = TWOLEVEL RANDOM;
ESTIMATOR = BAYES ;
BITERATIONS=100000 (50000); BCONVERGENCE =.01;
MODEL :
%WITHIN%
mvpa ;
vs1 | mvpa ON advant ;
mvpa ON peers (p2wc) ;
peers WITH advant ;
%BETWEEN%
[mvpa] ; [advant] ; [peers] ; [vs1] ;
mvpa ; peers ; advant ; vs1 ;
mvpa ON advant peers (p3bc p4bc) ;
advant ON treat (p1bc) ;
peers ON treat (p2bc) ;
advant WITH peers;
OUTPUT: CINTERVAL(HPD) TECH8 ;
`;

/** Table 25.8 (factors at both levels), as ../shared/inputs/msem_invariance.inp. */
export const MSEM_INVARIANCE = `TITLE: MSEM invariance analysis ;
DATA: FILE IS @DATA@ ;
VARIABLE:
NAMES ARE y1 y2 y3 m1 m2 m3 treat school ;
USEVARIABLES ARE y1 y2 y3 m1 m2 m3 treat ;
CLUSTER IS school ;
BETWEEN IS treat ;
ANALYSIS:
TYPE = TWOLEVEL ;
ESTIMATOR = BAYES ;
BITERATIONS=100000 (50000); BCONVERGENCE =.01;
MODEL :
%WITHIN%
y1 ; y2 ; y3 ; m1 ; m2 ; m3 ;
lyw by y1 y2 y3 (pw1-pw3) ;
lmw by m1 m2 m3 (pw4-pw6) ;
lmw ; lyw ;
lyw ON lmw (pw7) ;
%BETWEEN%
y1 ; y2 ; y3 ; m1 ; m2 ; m3 ;
lyb by y1 y2 y3 (pb1-pb3);
lmb by m1 m2 m3 (pb4-pb6);
lyb ; lmb ;
lyb ON lmb (pb7) ;
lmb on treat ;
MODEL CONSTRAINT:
NEW (ly2 ly3 lm2 lm3 context) ;
ly2 = pw2-pb2 ; ly3 = pw3-pb3 ; lm2 = pw5-pb5 ; lm3 = pw6-pb6 ; context = pb7-pw7 ;
OUTPUT: CINTERVAL(HPD) TECH8 ;
`;
