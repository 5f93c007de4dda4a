import pytest
import torch

from searchcore.config import RegularizerConfig
from searchcore.methods.regularizers import edge_entropy, regularizer_loss, regularizer_weight


def test_entropy_gradient_matches_r_darts_eq19():
    """d H(softmax(a)) / d a = -beta * (H + log beta), per edge (r-DARTS Eq. 19)."""
    torch.manual_seed(0)
    alpha = torch.randn(14, 8, dtype=torch.float64, requires_grad=True)
    edge_entropy(alpha).sum().backward()
    beta = torch.softmax(alpha.detach(), -1)
    h = -(beta * beta.log()).sum(-1, keepdim=True)
    assert torch.allclose(alpha.grad, -beta * (h + beta.log()), atol=1e-6)


def test_entropy_loss_is_lambda_times_mean_over_edges_of_all_cells():
    cfg = RegularizerConfig(kind="entropy", lam=0.5)
    a1, a2 = torch.zeros(3, 4), torch.tensor([[10.0, 0, 0, 0]])
    loss = regularizer_loss(cfg, [a1, a2], epoch=0)
    expected = 0.5 * torch.cat([edge_entropy(a1), edge_entropy(a2)]).mean()
    assert torch.allclose(loss, expected)
    assert edge_entropy(a1)[0].item() == pytest.approx(torch.log(torch.tensor(4.0)).item())


def test_beta_decay_is_mean_logsumexp_with_linear_lambda():
    cfg = RegularizerConfig(kind="beta_decay", lam=50.0, schedule="linear", ramp_epochs=100)
    alpha = torch.randn(6, 5)
    assert regularizer_weight(cfg, 10) == pytest.approx(5.0)
    loss = regularizer_loss(cfg, [alpha], epoch=10)
    assert torch.allclose(loss, 5.0 * torch.logsumexp(alpha, -1).mean())


def test_none_gives_no_term_and_sign_flips():
    assert regularizer_loss(RegularizerConfig(), [torch.zeros(2, 2)], 0) is None
    pos = regularizer_loss(RegularizerConfig(kind="entropy", lam=1.0), [torch.zeros(2, 2)], 0)
    neg = regularizer_loss(RegularizerConfig(kind="entropy", lam=1.0, sign=-1), [torch.zeros(2, 2)], 0)
    assert torch.allclose(pos, -neg)
