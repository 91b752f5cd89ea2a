"""Writes the small public tables Glassbox's defaults are measured on, with fixed splits, and
scikit-learn's figures on the same splits (data/tables/sklearn.json).

Run with Debian's python3-sklearn and python3-statsmodels: /usr/bin/python3 scripts/tables.py
Each table becomes NAME-train.csv and NAME-test.csv (a seeded 75/25 split, stratified for
classes). scikit-learn is measured as its users run it: StandardScaler then the estimator with
its defaults, over seeds 0-9 (mean and spread), and LinearRegression for regressions.
"""
import csv
import json
import os
import warnings

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "tables")
SEEDS = range(10)


def friedman1():
    # Friedman #1: y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5 + noise, with 5 unused columns.
    x, y = datasets.make_friedman1(n_samples=500, n_features=10, noise=1.0, random_state=0)
    return x, y, [f"x{i + 1}" for i in range(10)], "y"


def tables():
    iris = datasets.load_iris()
    yield "iris", "classify", iris.data, iris.target_names[iris.target], list(iris.feature_names), "species"
    wine = datasets.load_wine()
    yield "wine", "classify", wine.data, np.array([f"class_{k}" for k in wine.target]), list(wine.feature_names), "cultivar"
    cancer = datasets.load_breast_cancer()
    yield "breast-cancer", "classify", cancer.data, cancer.target_names[cancer.target], list(cancer.feature_names), "diagnosis"
    digits = datasets.load_digits()
    yield "digits", "classify", digits.data, digits.target.astype(str), [f"pixel_{i}" for i in range(64)], "digit"
    diabetes = datasets.load_diabetes(scaled=False)
    yield "diabetes", "regress", diabetes.data, diabetes.target, list(diabetes.feature_names), "progression"
    x, y, names, label = friedman1()
    yield "friedman1", "regress", x, y, names, label
    # Debian's python3-statsmodels ships these.
    import statsmodels.api as sm

    anes = sm.datasets.anes96.load_pandas().data
    features = [c for c in anes.columns if c != "vote"]
    yield "anes96", "classify", anes[features].values, np.array(["dole" if v == 1 else "clinton" for v in anes["vote"]]), features, "vote"
    star = sm.datasets.star98.load_pandas().data
    share = star["NABOVE"] / (star["NABOVE"] + star["NBELOW"])
    features = [c for c in star.columns if c not in ("NABOVE", "NBELOW")]
    yield "star98", "regress", star[features].values, share.values, features, "share_above"


def write(path, x, y, names, label):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([n.replace(" ", "_") for n in names] + [label])
        for row, target in zip(x, y):
            w.writerow([f"{v:.6g}" for v in row] + [target if isinstance(target, str) else f"{target:.6g}"])


def spread(values):
    return {"mean": float(np.mean(values)), "min": float(np.min(values)), "max": float(np.max(values))}


def main():
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    results = {}
    for name, task, x, y, names, label in tables():
        stratify = y if task == "classify" else None
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=stratify)
        write(os.path.join(OUT, f"{name}-train.csv"), x_train, y_train, names, label)
        write(os.path.join(OUT, f"{name}-test.csv"), x_test, y_test, names, label)
        # The CSVs round to 6 significant digits: measure on what they hold.
        x_train = np.array([[float(f"{v:.6g}") for v in r] for r in x_train])
        x_test = np.array([[float(f"{v:.6g}") for v in r] for r in x_test])
        if task == "regress":
            y_train = np.array([float(f"{v:.6g}") for v in y_train])
            y_test = np.array([float(f"{v:.6g}") for v in y_test])
            linear = r2_score(y_test, LinearRegression().fit(x_train, y_train).predict(x_test))
            mlp = [r2_score(y_test, make_pipeline(StandardScaler(), MLPRegressor(random_state=s)).fit(x_train, y_train).predict(x_test)) for s in SEEDS]
            results[name] = {"task": task, "metric": "r2", "rows": [len(y_train), len(y_test)], "linear_regression": linear, "mlp_regressor": spread(mlp)}
        else:
            logistic = accuracy_score(y_test, make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x_train, y_train).predict(x_test))
            mlp = [accuracy_score(y_test, make_pipeline(StandardScaler(), MLPClassifier(random_state=s)).fit(x_train, y_train).predict(x_test)) for s in SEEDS]
            results[name] = {"task": task, "metric": "accuracy", "rows": [len(y_train), len(y_test)], "logistic_regression": logistic, "mlp_classifier": spread(mlp)}
        print(name, json.dumps(results[name]))
    with open(os.path.join(OUT, "sklearn.json"), "w") as f:
        json.dump({"sklearn": __import__("sklearn").__version__, "tables": results}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
