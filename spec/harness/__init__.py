"""The harness behind the pytest plugin (``spec/plugin.py``), one job per module.

* ``profiles``: the Hypothesis profiles and the one seed of a run;
* ``loading``: which implementation a run tests, and importing it;
* ``proxy``: the ``impl`` object the properties see, which checks every call;
* ``selection``: tiers, ``--exercise``/``--lecture``/``--tier``, what is collected;
* ``report``: outcomes, the conformance table and JSON, the tier line of a failure;
* ``isolation``: the implementation in a process of its own (``--isolate``).
"""
