"""One model for all roles, or one per role? Valid loss on one role's streams, at equal compute.

The shipped model saw ~4 M training tokens over four roles; a one-role model trained on ~1 M tokens
of that role alone (``stori/model/configs/role_melody.json``: 250 steps x 4,096 tokens) has the
same compute per role. Both are scored on the same 300 validation streams of the role.

    .venv/bin/python -m stori train --config role_melody --no-resume
    .venv/bin/python scripts/compare_role_models.py melody cache/runs/role_melody/checkpoint.pt
"""
import sys

import torch

from stori.model.dataset import load_corpus
from stori.model.generator import DEFAULT_CHECKPOINT
from stori.model.tokens import StoriTokenizer
from stori.model.train import evaluate, learned_mask, only_roles, unigram_loss
from stori.model.transformer import ModelConfig, Transformer


def model_of(path: str) -> Transformer:
    ck = torch.load(path, map_location="cpu", weights_only=True)
    model = Transformer(ModelConfig(**ck["model_config"]))
    model.load_state_dict({k: v.float() for k, v in ck["model"].items()})
    return model


def main(role: str, role_checkpoint: str) -> None:
    corpus = load_corpus()
    tok = StoriTokenizer.from_dict(corpus["tokenizer"])
    learn = learned_mask(tok)
    train, valid = (only_roles(corpus[k], [role]) for k in ("train", "valid"))
    seqs = valid["seqs"][:300]
    print(f"{role}: {len(seqs)} validation streams")
    print(f"unigram of {role} training tokens: {unigram_loss(train['seqs'], seqs, learn):.3f} nats/token")
    for name, path in (("one model for all roles (shipped)", DEFAULT_CHECKPOINT),
                       (f"{role}-only model", role_checkpoint)):
        model = model_of(str(path))
        print(f"{name}: {evaluate(model, seqs, tok.pad, model.cfg.context, learn, torch.device('cpu'), 4096):.3f} "
              "nats/token")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
