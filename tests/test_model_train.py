"""The trainer on the tiny config: the loss falls, a run resumes where it stopped, exports load."""
import json

from stori.model.generator import load_generator
from stori.model.train import load_config, run


class Args:
    def __init__(self, config, out, export=None):
        self.config, self.out, self.export = str(config), str(out), export
        self.max_minutes, self.device, self.data_dir, self.no_resume = None, "cpu", None, False


def history(out):
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]


def test_tiny_config_trains_resumes_and_exports(tmp_path):
    cfg = load_config("tiny")
    cfg["train"]["max_steps"] = 20
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(cfg))
    out = tmp_path / "run"
    assert run(Args(path, out)) == 0
    first = history(out)
    assert [h["step"] for h in first] == [10, 20]
    assert first[-1]["valid_loss"] < first[0]["valid_loss"]

    cfg["train"]["max_steps"] = 30
    path.write_text(json.dumps(cfg))
    assert run(Args(path, out)) == 0
    again = history(out)
    assert [h["step"] for h in again] == [10, 20, 30]  # continued from step 20, not restarted
    assert again[-1]["valid_loss"] < again[0]["valid_loss"]

    shipped = tmp_path / "model.pt"
    assert run(Args(path, out, export=str(shipped))) == 0
    gen = load_generator(shipped)
    assert gen.info["step"] == 30


def test_only_roles_keeps_the_chosen_roles_aligned():
    from stori.model.train import only_roles

    split = {"seqs": ["a", "b", "c"], "roles": ["melody", "drums", "melody"], "pitch": [60, None, 64]}
    assert only_roles(split, ["melody"]) == {"seqs": ["a", "c"], "roles": ["melody", "melody"], "pitch": [60, 64]}
    assert only_roles(split, None) is split


def test_weight_decay_only_on_matrices_and_residual_outputs_scaled():
    import torch

    from stori.model.transformer import ModelConfig, Transformer

    torch.manual_seed(0)
    model = Transformer(ModelConfig(vocab_size=300, n_layers=8))
    decay, rest = model.param_groups(0.1)
    assert decay["weight_decay"] == 0.1 and rest["weight_decay"] == 0.0
    assert all(p.dim() == 2 for p in decay["params"]) and all(p is not model.tok.weight for p in decay["params"])
    assert any(p is model.tok.weight for p in rest["params"]) and any(p.dim() == 1 for p in rest["params"])
    assert len(decay["params"]) + len(rest["params"]) == len(list(model.parameters()))
    block = model.blocks[0]
    assert block.proj.weight.std() < 0.6 * block.qkv.weight.std()  # 0.02 / sqrt(16) against 0.02
