"""The trainer on the tiny config: the loss falls, a run resumes where it stopped, exports load."""
import json

from stori.model.generator import load_generator
from stori.model.train import load_config, run


class Args:
    def __init__(self, config, out, export=None, validate=False):
        self.config, self.out, self.export, self.validate = str(config), str(out), export, validate
        self.max_minutes, self.device, self.data_dir, self.no_resume = None, "cpu", None, False


def history(out):
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]


def test_tiny_config_trains_resumes_and_exports(tmp_path, capsys):
    cfg = load_config("tiny")
    cfg["train"]["max_steps"] = 20
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(cfg))
    out = tmp_path / "run"
    assert run(Args(path, out)) == 0
    first = history(out)
    assert [h["step"] for h in first] == [10, 20]
    assert first[-1]["valid_loss"] < first[0]["valid_loss"]
    by = first[-1]["valid_by"]  # per role, meter and style; the overall loss lies among the roles'
    roles = [v for k, v in by.items() if k.startswith("role ")]
    assert {"role melody", "role drums", "meter 4/4"} <= set(by) and by["meter 4/4"] == first[-1]["valid_loss"]
    assert min(roles) <= first[-1]["valid_loss"] <= max(roles)

    cfg["train"]["max_steps"] = 30
    path.write_text(json.dumps(cfg))
    assert run(Args(path, out)) == 0
    again = history(out)
    assert [h["step"] for h in again] == [10, 20, 30]  # continued from step 20, not restarted
    assert again[-1]["valid_loss"] < again[0]["valid_loss"]
    capsys.readouterr()
    assert run(Args(path, out, validate=True)) == 0  # the checkpoint scored again, not trained
    scored = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert scored["step"] == 30 and scored["valid_loss"] == again[-1]["valid_loss"]
    assert scored["valid_by"] == again[-1]["valid_by"] and history(out) == again

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


def test_two_cpu_processes_train_with_gloo_and_stop_together(tmp_path):
    """torchrun with 2 processes: both take the same number of steps, rank 0 logs and saves, the
    run resumes."""
    import os
    import subprocess
    import sys

    cfg = load_config("tiny")
    cfg["train"].update(max_steps=6, eval_every=3, cpu_threads=1)
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(cfg))
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "stori", "train", "--config", str(path), "--out", str(out), "--device", "cpu"]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, cwd=os.getcwd())
    assert done.returncode == 0, done.stderr[-2000:]
    assert [h["step"] for h in history(out)] == [3, 6]
    import torch
    ck = torch.load(out / "checkpoint.pt", weights_only=True)
    assert ck["step"] == 6 and ck["hardware"].endswith("2 processes")
    cfg["train"]["max_steps"] = 9
    path.write_text(json.dumps(cfg))
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, cwd=os.getcwd())
    assert done.returncode == 0, done.stderr[-2000:]
    assert [h["step"] for h in history(out)] == [3, 6, 9]


def test_ranks_agree_on_the_fewest_batches(tmp_path):
    """Seven batches over two ranks: each rank's own share is 4 and 3; in a gloo group both take 3."""
    import os
    import subprocess
    import sys

    from stori.model.train import rank_batches

    batches = [[i] for i in range(7)]
    assert [rank_batches(batches, r, 2) for r in range(2)] == [[[0], [2], [4], [6]], [[1], [3], [5]]]
    script = tmp_path / "share.py"
    script.write_text("import os, torch\nfrom stori.model.train import rank_batches\n"
                      "torch.distributed.init_process_group('gloo')\nr = int(os.environ['RANK'])\n"
                      f"open(r'{tmp_path}/share%d.txt' % r, 'w')"
                      ".write(str(rank_batches([[i] for i in range(7)], r, 2)))\n"
                      "torch.distributed.destroy_process_group()\n")
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           str(script)], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONPATH=os.getcwd(), OMP_NUM_THREADS="1"))
    assert done.returncode == 0, done.stderr[-2000:]
    shares = [(tmp_path / f"share{r}.txt").read_text() for r in range(2)]  # a file per rank: their stdout interleaves
    assert shares == ["[[0], [2], [4]]", "[[1], [3], [5]]"]


def test_a_v2_config_trains_and_exports_a_meter_aware_model(tmp_path):
    cfg = load_config("tiny")
    cfg["train"].update(max_steps=4, eval_every=2, vocab=2)
    path = tmp_path / "tiny2.json"
    path.write_text(json.dumps(cfg))
    out = tmp_path / "run"
    assert run(Args(path, out)) == 0
    assert [h["step"] for h in history(out)] == [2, 4]
    shipped = tmp_path / "model2.pt"
    assert run(Args(path, out, export=str(shipped))) == 0
    gen = load_generator(shipped)
    assert gen.tok.version == 2 and (7, 8) in gen.tok.meters and "artsong" in gen.tok.styles
