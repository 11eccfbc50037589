"""Reference measurement, not part of Parley: personal_attack ROC-AUC on OLID
(TIN+IND against everything else) of scikit-learn logistic regression over
TF-IDF character 1-5-grams and word 1-2-grams, trained on OLID's train split
(Parley's split: FNV-1a of the text mod 10; 0 = dev, 1 = tune), as one direct
head, as the toxic head's score, and as P(toxic) * P(attack | toxic).

Run from the repository root with Debian's python3-sklearn:
    /usr/bin/python3 bench/reference/olid_attack.py
"""
import csv, numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from scipy.sparse import hstack
def fnv(s):
    h=2166136261
    for b in s.encode():
        h^=b; h=(h*16777619)&0xffffffff
    return h
rows=[(r['text'],r['toxic'],r['personal_attack'],fnv(r['text'])%10) for r in csv.DictReader(open('../shared/datasets/olid-en.train.csv',encoding='utf-8'))]
tr=[r for r in rows if r[3]>=2]; tu=[r for r in rows if r[3]==1]; dv=[r for r in rows if r[3]==0]
ch=TfidfVectorizer(analyzer='char_wb',ngram_range=(1,5),min_df=2,sublinear_tf=True)
wd=TfidfVectorizer(ngram_range=(1,2),min_df=1,sublinear_tf=True)
ch.fit([r[0] for r in tr]); wd.fit([r[0] for r in tr])
X=lambda rs: hstack([ch.transform([r[0] for r in rs]), wd.transform([r[0] for r in rs])]).tocsr()
Xtr,Xtu,Xdv=X(tr),X(tu),X(dv)
for C in [1,3,10]:
    pa=LogisticRegression(C=C,max_iter=3000).fit(Xtr,[int(r[2]) for r in tr])
    tox=LogisticRegression(C=C,max_iter=3000).fit(Xtr,[int(r[1]) for r in tr])
    trt=[r for r in tr if r[1]=='1']
    cond=LogisticRegression(C=C,max_iter=3000).fit(X(trt),[int(r[2]) for r in trt])
    for name,Xs,rs in [('tune',Xtu,tu),('dev',Xdv,dv)]:
        y=[int(r[2]) for r in rs]
        d=pa.decision_function(Xs); t=tox.predict_proba(Xs)[:,1]; c=cond.predict_proba(Xs)[:,1]
        print(C,name,'direct %.3f'%roc_auc_score(y,d),'toxic-only %.3f'%roc_auc_score(y,t),'hier %.3f'%roc_auc_score(y,t*c))
