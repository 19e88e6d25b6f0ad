/** The benchmark inputs (Table 25.3 and its random-slope variant), with a DATA FILE placeholder. */
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
