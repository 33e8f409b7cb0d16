"""A local AWS for the collection's tests and demo: moto's server plus the Bedrock calls moto lacks.

Start it with `make emulator` (or `python -m emulator --port 4599` with tests/ on PYTHONPATH) and point boto3,
the AWS CLI or Ansible at it with AWS_ENDPOINT_URL. Unit tests run it in-process with `Emulator().start()`.
"""

from .control import Control
from .server import Application, Emulator

__all__ = ["Application", "Control", "Emulator"]
