"""``python -m stori train --config FILE``: train the generator on CPU or CUDA (AMP), resumable,
time-bounded, with a progress bar and a JSON-lines log; several processes through ``torchrun``
(DDP: NCCL on GPUs, gloo on CPU cores).

Under DDP every rank takes its share of each epoch's batches, cut to the fewest any rank has, and
all ranks stop together (at ``max_steps``, or when any rank reaches the time limit): every step is
a collective all ranks take part in, so no rank waits at the end for one that has stopped.
The config's ``train.vocab`` (1, the shipped 4/4 vocabulary, or 2, meter-aware) and
``train.sets`` choose the token vocabulary and the training sets."""
from __future__ import annotations

import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from stori.data.paths import CACHE_DIR
from stori.errors import StoriError
from stori.model.dataset import Augmenter, build, load_corpus
from stori.model.tokens import TYPES, StoriTokenizer
from stori.model.transformer import ModelConfig, Transformer, pick_device

CONFIG_DIR = Path(__file__).parent / "configs"
LEARNED_TYPES = ("Bar", "Position", "Pitch", "PitchDrum", "Velocity", "Duration", "EOS")


def add_arguments(p) -> None:
    p.add_argument("--config", required=True, help="a JSON file (see stori/model/configs/), or the name of one there")
    p.add_argument("--out",
                   help="run folder (default cache/runs/<config name>); an existing checkpoint there is resumed")
    p.add_argument("--max-minutes", type=float, help="stop (and save) after this many minutes")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument("--data-dir", help="dataset root (default ../shared/data)")
    p.add_argument("--no-resume", action="store_true", help="start afresh even if a checkpoint exists")
    p.add_argument("--export", metavar="PATH",
                   help="write the run's checkpoint as a shipped model (half precision) and exit")
    p.add_argument("--validate", action="store_true",
                   help="print the run's checkpoint's validation loss (by role, meter and style) and exit")


def load_config(name: str) -> dict:
    path = Path(name)
    if not path.exists():
        path = CONFIG_DIR / (name if name.endswith(".json") else name + ".json")
    if not path.exists():
        raise StoriError("config", f"{name!r} does not exist", ", ".join(p.stem for p in CONFIG_DIR.glob("*.json")))
    cfg = json.loads(path.read_text())
    cfg.setdefault("name", path.stem)
    return cfg


def corpus_for(cfg: dict, data_dir=None) -> dict:
    version = cfg["train"].get("vocab", 1)
    if cfg["train"].get("data") == "synthetic":
        from stori.model.synthetic import synthetic_samples
        return build(synthetic_samples(64, 0), synthetic_samples(16, 1, "valid"), progress=False, version=version)
    return load_corpus(data_dir, version=version, sets=cfg["train"].get("sets"))


def rank_batches(all_batches: list[list[int]], rank: int, world: int) -> list[list[int]]:
    """This rank's share of an epoch's batches, cut to the number every rank has (all ranks agree
    on it through an all-reduce of the minimum when a process group is running)."""
    mine = all_batches[rank::world]
    if world > 1 and torch.distributed.is_initialized():
        n = torch.tensor([len(mine)])
        torch.distributed.all_reduce(n, op=torch.distributed.ReduceOp.MIN)
        mine = mine[:int(n)]
    return mine


def any_rank(flag: bool, world: int) -> bool:
    """True when ``flag`` is true on any rank (on one process: ``flag``)."""
    if world == 1 or not torch.distributed.is_initialized():
        return flag
    t = torch.tensor([int(flag)])
    torch.distributed.all_reduce(t, op=torch.distributed.ReduceOp.MAX)
    return bool(t)


def only_roles(split: dict, roles: list[str] | None) -> dict:
    """The streams of ``split`` whose role is in ``roles`` (all when None): a one-role model's data."""
    if not roles:
        return split
    keep = [i for i, r in enumerate(split["roles"]) if r in roles]
    return {k: [v[i] for i in keep] for k, v in split.items()}


def learned_mask(tok: StoriTokenizer) -> torch.Tensor:
    """Which token ids the loss counts as targets: the generated ones (not prefix, chords or padding)."""
    return torch.tensor([TYPES[t] in LEARNED_TYPES for t in tok.type_ids])


def batches(lengths: list[int], batch_tokens: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar-length streams, each within ``batch_tokens`` once padded."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    out = []
    for c in range(0, len(idx), 2048):
        chunk = sorted(idx[c:c + 2048], key=lengths.__getitem__)
        cur: list[int] = []
        for i in chunk:
            if cur and (len(cur) + 1) * max(lengths[j] for j in cur + [i]) > batch_tokens:
                out.append(cur)
                cur = []
            cur.append(i)
        if cur:
            out.append(cur)
    rng.shuffle(out)
    return out


def collate(seqs: list[np.ndarray], pad: int, context: int) -> torch.Tensor:
    n = min(context + 1, max(len(s) for s in seqs))
    x = torch.full((len(seqs), n), pad, dtype=torch.long)
    for i, s in enumerate(seqs):
        s = s[:n]
        x[i, :len(s)] = torch.as_tensor(s, dtype=torch.long)
    return x


def loss_of(model, x: torch.Tensor, learn: torch.Tensor) -> tuple[torch.Tensor, int]:
    logits = model(x[:, :-1])
    target = x[:, 1:]
    mask = learn[target]
    loss = F.cross_entropy(logits[mask].float(), target[mask], reduction="sum")
    return loss, int(mask.sum())


def unigram_loss(train: list[np.ndarray], valid: list[np.ndarray], learn: torch.Tensor) -> float:
    """Cross-entropy (nats/token) on valid targets of the train-set token frequencies: the floor to beat."""
    n = len(learn)
    counts = np.ones(n)
    for s in train:
        np.add.at(counts, s[1:].astype(np.int64), 1)
    lm = learn.numpy()
    p = np.where(lm, counts, 0) / np.where(lm, counts, 0).sum()
    tgt = np.concatenate([s[1:].astype(np.int64) for s in valid])
    tgt = tgt[lm[tgt]]
    return float(-np.log(p[tgt]).mean())


@torch.no_grad()
def stream_losses(model, seqs, pad, context, learn, device, batch_tokens) -> np.ndarray:
    """Per stream: the summed cross-entropy of its learned targets and their number (``(n, 2)``)."""
    model.eval()
    out = np.zeros((len(seqs), 2))
    learn = learn.to(device)
    for b in batches([len(s) for s in seqs], batch_tokens, random.Random(0)):
        x = collate([seqs[i] for i in b], pad, context).to(device)
        logits = model(x[:, :-1]).float()
        target = x[:, 1:]
        mask = learn[target]
        ce = F.cross_entropy(logits.transpose(1, 2), target, reduction="none") * mask
        out[b, 0] = ce.sum(1).cpu().numpy()
        out[b, 1] = mask.sum(1).cpu().numpy()
    model.train()
    return out


def evaluate(model, seqs, pad, context, learn, device, batch_tokens) -> float:
    """Validation loss: nats per learned target token over ``seqs``."""
    losses = stream_losses(model, seqs, pad, context, learn, device, batch_tokens)
    return float(losses[:, 0].sum() / max(1, losses[:, 1].sum()))


def loss_by(losses: np.ndarray, split: dict, idx: list[int]) -> dict[str, float]:
    """The validation loss per role, per meter and per style of the streams ``idx`` of ``split``."""
    groups: dict[str, list[int]] = {}
    for k, i in enumerate(idx):
        for field, name in (("roles", "role"), ("meters", "meter"), ("styles", "style")):
            if field in split:
                groups.setdefault(f"{name} {split[field][i]}", []).append(k)
    return {g: round(float(losses[ks, 0].sum() / max(1, losses[ks, 1].sum())), 4) for g, ks in sorted(groups.items())}


def validation(losses: np.ndarray, split: dict, idx: list[int]) -> dict:
    """The validation loss of :func:`stream_losses` over all streams and by :func:`loss_by`."""
    return {"valid_loss": round(float(losses[:, 0].sum() / max(1, losses[:, 1].sum())), 4),
            "valid_by": loss_by(losses, split, idx)}


def spread(n_total: int, n: int) -> list[int]:
    """``n`` indices spread evenly over ``range(n_total)`` (all of them when there are fewer), so a
    validation subset holds every set of a corpus listed set after set."""
    if n >= n_total:
        return list(range(n_total))
    return sorted({int(i * n_total / n) for i in range(n)})


def save(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)


def export(run_ckpt: Path, dest: Path) -> None:
    """A shipped checkpoint: half-precision weights, configs, tokenizer and training facts; no optimizer."""
    ck = torch.load(run_ckpt, map_location="cpu", weights_only=True)
    state = {k: (v.half() if v.is_floating_point() else v) for k, v in ck["model"].items()}
    dest.parent.mkdir(parents=True, exist_ok=True)
    save(dest, {"model": state, "model_config": ck["model_config"], "tokenizer": ck["tokenizer"],
                "train_config": ck["train_config"], "history": ck["history"], "step": ck["step"],
                "elapsed_s": ck["elapsed_s"], "unigram_loss": ck["unigram_loss"], "hardware": ck["hardware"]})


def run(args) -> int:
    cfg = load_config(args.config)
    out = Path(args.out or CACHE_DIR / "runs" / cfg["name"])
    ckpt_path = out / "checkpoint.pt"
    if (args.export or args.validate) and not ckpt_path.exists():
        raise StoriError("out", f"no checkpoint at {ckpt_path}", "a run folder written by python -m stori train")
    if args.export:
        export(ckpt_path, Path(args.export))
        print(f"exported {ckpt_path} -> {args.export}")
        return 0
    world = int(os.environ.get("WORLD_SIZE", "1"))
    ddp = world > 1
    rank = int(os.environ.get("RANK", "0"))
    device = pick_device(args.device)
    if ddp:
        torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
    tc = cfg["train"]
    torch.manual_seed(tc.get("seed", 0))
    if device.type == "cpu" and tc.get("cpu_threads"):
        torch.set_num_threads(tc["cpu_threads"])  # on a shared small CPU, fewer threads contend less
    if ddp and rank != 0:
        torch.distributed.barrier()  # rank 0 builds the token cache first; the others then read it
    corpus = corpus_for(cfg, args.data_dir)
    if ddp and rank == 0:
        torch.distributed.barrier()
    tok = StoriTokenizer.from_dict(corpus["tokenizer"])
    mcfg = ModelConfig(vocab_size=len(tok), **cfg["model"])
    model = Transformer(mcfg).to(device)
    opt = torch.optim.AdamW(model.param_groups(tc.get("weight_decay", 0.01)), lr=tc["lr"], betas=(0.9, 0.98))
    learn = learned_mask(tok)
    train, valid = (only_roles(corpus[k], tc.get("roles")) for k in ("train", "valid"))
    valid_idx = spread(len(valid["seqs"]), tc.get("valid_streams", 600))
    valid_seqs = [valid["seqs"][i] for i in valid_idx]
    step, elapsed, history = 0, 0.0, []
    unigram = unigram_loss(train["seqs"], valid_seqs, learn)
    if ckpt_path.exists() and not args.no_resume:
        ck = torch.load(ckpt_path, map_location=device, weights_only=True)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, elapsed, history = ck["step"], ck["elapsed_s"], ck["history"]
        if rank == 0 and not args.validate:
            print(f"resumed {ckpt_path} at step {step} ({elapsed / 60:.1f} min trained)")
    if args.validate:
        losses = stream_losses(model, valid_seqs, tok.pad, mcfg.context, learn, device, tc["batch_tokens"])
        print(json.dumps({"step": step, **validation(losses, valid, valid_idx), "unigram_loss": round(unigram, 4)}))
        return 0
    net = torch.nn.parallel.DistributedDataParallel(model) if ddp else model
    max_steps = tc["max_steps"]
    cuda = device.type == "cuda"
    amp = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else torch.autocast("cpu", enabled=False)
    hardware = f"cuda ({torch.cuda.get_device_name(device)})" if cuda else f"{device.type} ({os.cpu_count()} cores)"
    hardware += f", {world} processes" if ddp else ""
    aug = Augmenter(tok, tc.get("max_shift", 5), tc.get("p_drop", 0.1))
    # The batch order is drawn alike on every rank; each rank augments its own streams.
    order = random.Random(tc.get("seed", 0) + step)
    rng = random.Random((tc.get("seed", 0) + step) * 1009 + rank)
    lengths = [min(len(s), mcfg.context + 1) for s in train["seqs"]]
    deadline = time.time() + 60 * args.max_minutes if args.max_minutes else math.inf
    budget_s = elapsed + 60 * args.max_minutes if args.max_minutes else math.inf
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "log.jsonl").open("a") if rank == 0 else None
    bar = tqdm(total=max_steps, initial=step, disable=rank != 0, dynamic_ncols=True, desc=cfg["name"])
    learn_d = learn.to(device)
    t_start, running = time.time() - elapsed, None

    def checkpoint():
        if rank == 0:
            save(ckpt_path, {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                             "elapsed_s": time.time() - t_start, "history": history, "model_config": mcfg.to_dict(),
                             "tokenizer": tok.to_dict(), "train_config": cfg, "unigram_loss": unigram,
                             "hardware": hardware})

    stop = any_rank(time.time() >= deadline, world)
    while step < max_steps and not stop:
        for b in rank_batches(batches(lengths, tc["batch_tokens"], order), rank, world):
            stop = any_rank(time.time() >= deadline, world)
            if step >= max_steps or stop:
                break
            # Cosine decay over the run: by steps, or by the time budget when that ends it first.
            done = max(step / max_steps, (time.time() - t_start) / budget_s)
            warm = min(1.0, (step + 1) / tc.get("warmup", 200))
            lr = tc["lr"] * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, done))))
            for g in opt.param_groups:
                g["lr"] = lr
            x = collate([aug(train["seqs"][i], train["roles"][i], train["pitch"][i], rng) for i in b], tok.pad,
                        mcfg.context).to(device)
            with amp:
                loss, n = loss_of(net, x, learn_d)
            loss = loss / max(1, n)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            lv = loss.item()
            running = lv if running is None else 0.98 * running + 0.02 * lv
            bar.update(1)
            bar.set_postfix(loss=f"{running:.3f}", lr=f"{lr:.1e}")
            if rank == 0 and (step % tc["eval_every"] == 0 or step == max_steps):
                losses = stream_losses(model, valid_seqs, tok.pad, mcfg.context, learn, device, tc["batch_tokens"])
                history.append({"step": step, "train_loss": round(running, 4), **validation(losses, valid, valid_idx),
                                "unigram_loss": round(unigram, 4), "minutes": round((time.time() - t_start) / 60, 2)})
                if log:
                    log.write(json.dumps(history[-1]) + "\n")
                    log.flush()
                    tqdm.write(json.dumps(history[-1]))
                checkpoint()
    bar.close()
    checkpoint()
    if ddp:
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
    return 0
