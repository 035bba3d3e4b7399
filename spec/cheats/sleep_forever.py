"""Never return from a call, hoping to stall the grader."""

import time

TARGETS = ("1.4",)
EXPECT = "flag"
REASON = "did not return in time"


def entropy(p):
    while True:
        time.sleep(1)


def cross_entropy(p, q):
    while True:
        time.sleep(1)


def kl_divergence(p, q):
    while True:
        time.sleep(1)
