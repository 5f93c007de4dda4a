"""Selection rules beyond α-argmax: DARTS-PT's perturbation-based projection and IS-DARTS' shrinking."""
