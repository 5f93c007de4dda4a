"""Selection tests run many tiny forward passes: one intra-op thread avoids thread contention (the
end-to-end tests' configs ask for ``threads: 1`` too)."""

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
