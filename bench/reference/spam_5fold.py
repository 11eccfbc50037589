"""Reference measurement, not part of Parley: 5-fold ROC-AUC of scikit-learn
logistic regression on the YouTube spam rows outside the dev split, trained
with the other corpora's train-split rows as spam negatives of weight 0.02,
on the raw text (TF-IDF character 1-5-grams and word 1-2-grams).

Run from the repository root with Debian's python3-sklearn:
    /usr/bin/python3 bench/reference/spam_5fold.py
"""
import csv, glob
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from scipy.sparse import hstack, vstack


def fnv(s):
    h = 2166136261
    for b in s.encode():
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


rows = []
for f in sorted(glob.glob("../shared/datasets/*.train.csv")):
    for r in csv.DictReader(open(f, encoding="utf-8")):
        rows.append((r["text"], r["spam"], fnv(r["text"]) % 10))
spam = [r for r in rows if r[1] != "" and r[2] != 0]
others = [r for r in rows if r[1] == "" and r[2] >= 2]
ch = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 5), min_df=2, sublinear_tf=True)
wd = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
texts = [r[0] for r in spam] + [r[0] for r in others]
ch.fit(texts)
wd.fit(texts)


def X(rs):
    return hstack([ch.transform([r[0] for r in rs]), wd.transform([r[0] for r in rs])]).tocsr()


Xo = X(others)
aucs = []
for k in range(5):
    held = [r for i, r in enumerate(spam) if i % 5 == k]
    train = [r for i, r in enumerate(spam) if i % 5 != k]
    Xt = vstack([X(train), Xo])
    y = np.concatenate([[int(r[1]) for r in train], np.zeros(Xo.shape[0])])
    w = np.concatenate([np.ones(len(train)), np.full(Xo.shape[0], 0.02)])
    m = LogisticRegression(C=10, max_iter=3000).fit(Xt, y, sample_weight=w)
    aucs.append(roc_auc_score([int(r[1]) for r in held], m.decision_function(X(held))))
    print("fold %d: ROC-AUC %.4f" % (k, aucs[-1]))
print("mean %.4f" % np.mean(aucs))
