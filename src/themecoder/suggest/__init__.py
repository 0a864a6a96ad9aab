"""Theme suggestions for survey answers.

- :mod:`themecoder.suggest.model`: a scikit-learn classifier trained on earlier years'
  hand coding, with safe (pickle-free) saving and loading.
- :mod:`themecoder.suggest.training_data`: reading hand-coded answers to train it on.

Import the submodule you need; this package loads nothing heavy by itself.
"""
