#!/usr/bin/env python3
"""Makes the isolation-forest fixture Tripline's forest is validated against.

Run once (needs numpy and scikit-learn from PyPI) and commit the output:
    python3 Tests/Fixtures/isolation_forest/make_fixture.py
It writes fixture.json beside this script: training data, test points, scikit-learn's
score_samples for the test points, its offset_ and which test points it calls outliers.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest

rng = np.random.default_rng(20261125)
dims = 5
# Inliers: two clusters with different spreads, as login features tend to be.
a = rng.normal(loc=0.0, scale=1.0, size=(600, dims))
b = rng.normal(loc=4.0, scale=0.6, size=(350, dims))
# Outliers: scattered far from both clusters.
o = rng.uniform(low=-12, high=16, size=(50, dims))
o = o[np.min(np.stack([np.linalg.norm(o - 0.0, axis=1), np.linalg.norm(o - 4.0, axis=1)]), axis=0) > 7]
train = np.concatenate([a, b, o])
rng.shuffle(train)

ta = rng.normal(loc=0.0, scale=1.0, size=(110, dims))
tb = rng.normal(loc=4.0, scale=0.6, size=(70, dims))
to = rng.uniform(low=-12, high=16, size=(60, dims))
to = to[np.min(np.stack([np.linalg.norm(to - 0.0, axis=1), np.linalg.norm(to - 4.0, axis=1)]), axis=0) > 9][:20]
test = np.concatenate([ta, tb, to])

contamination = len(o) / len(train)
forest = IsolationForest(n_estimators=100, max_samples=256, contamination=contamination, random_state=0)
forest.fit(train)
scores = forest.score_samples(test)
outliers = [int(i) for i in np.where(forest.predict(test) == -1)[0]]

out = {
    "sklearn_version": sklearn.__version__,
    "n_estimators": 100,
    "max_samples": 256,
    "contamination": contamination,
    "train": train.round(6).tolist(),
    "test": test.round(6).tolist(),
    "sklearn_score_samples": scores.round(8).tolist(),
    "sklearn_offset": float(forest.offset_),
    "sklearn_outliers": outliers,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixture.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {path}: {len(train)} training points, {len(test)} test points, {len(outliers)} outliers, contamination {contamination:.4f}")
