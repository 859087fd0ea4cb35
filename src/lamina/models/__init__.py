"""lamina.models: Model, Sequential and functional models."""

from lamina.models.cloning import clone_model as clone_model
from lamina.models.functional import Functional as Functional
from lamina.models.model import Model as Model
from lamina.models.sequential import Sequential as Sequential
from lamina.saving.saving_api import load_model as load_model
from lamina.saving.saving_api import save_model as save_model
from lamina.saving.saving_lib import model_from_json as model_from_json
