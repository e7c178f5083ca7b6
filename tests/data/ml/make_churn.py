"""Writes churn.csv (400 customers; the target 'churn' depends on support
calls, tenure and plan) and churn_new.csv (20 new customers without the
target) for the browser end-to-end test of the Model tab. Seeded."""
import csv
import math
import random

rng = random.Random(7)
plans = ["basic", "plus", "pro"]
regions = ["north", "south", "east", "west"]


def customer(i):
    plan = rng.choice(plans)
    region = rng.choice(regions)
    tenure = rng.randint(1, 72)
    fee = round({"basic": 20, "plus": 45, "pro": 80}[plan] + rng.gauss(0, 5), 2)
    calls = rng.randint(0, 10)
    z = 0.9 * calls - 0.08 * tenure + {"basic": 0.8, "plus": 0.0, "pro": -0.8}[plan] - 1.0
    churn = "yes" if rng.random() < 1 / (1 + math.exp(-z)) else "no"
    row = [f"C{i:05d}", plan, region, tenure, fee, calls if rng.random() > 0.05 else "", churn]
    return row


header = ["customer_id", "plan", "region", "tenure_months", "monthly_fee", "support_calls", "churn"]
with open("churn.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(header)
    for i in range(400):
        w.writerow(customer(i))
with open("churn_new.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(header[:-1])
    for i in range(400, 420):
        w.writerow(customer(i)[:-1])
