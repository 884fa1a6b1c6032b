"""The scripting corpus: modules and functions run eagerly and scripted with equal results.

`CASES` lists (id, make, inputs): `make()` returns a module or function, `inputs()` the
positional arguments.
"""

from tests.corpus.constructs import CASES as CONSTRUCTS
from tests.corpus.control import CASES as CONTROL
from tests.corpus.gaps import CASES as GAPS
from tests.corpus.layers import CASES as LAYERS
from tests.corpus.models import CASES as MODELS
from tests.corpus.modules import CASES as MODULES

CASES = CONTROL + MODULES + LAYERS + MODELS + GAPS + CONSTRUCTS
