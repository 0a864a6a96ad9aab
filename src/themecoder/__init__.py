"""themecoder: code free-text survey answers into codebook themes.

The package root stays light on purpose: importing :mod:`themecoder` loads
neither the terminal app, spaCy nor scikit-learn. Import the submodule you need
(``themecoder.codebook``, ``themecoder.store`` ...).
"""

__version__ = "0.1.0"
