"""Black Diamond emission: the pure maths, with no state access and no floats.

- `schedule`: how many µBD the genesis schedule has released after a given time since
  genesis (halving eras, the cap, the end). One exact cumulative function, so a block
  releases `emitted(t2) - emitted(t1)` and rounding never loses or repeats a µBD.
- `accumulator`: how a release is shared among active residents in proportion to their
  Force, with the reward-per-unit accumulator, so a block costs the same with ten or ten
  million residents.
"""
