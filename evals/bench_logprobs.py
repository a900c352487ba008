"""What recording each generated token's log-probability costs (rag.llm's logits processor), side by side in one
run: ms per generated token with and without it, default model, greedy, median of 3.

    HF_HUB_OFFLINE=1 .venv/bin/python evals/bench_logprobs.py
"""
import time, numpy as np
from rag.llm import get_llm
from rag.config import Settings
llm = get_llm(Settings.load())
L = llm._llm
msgs=[{"role":"user","content":"Write a 150-word paragraph about rice farming in Vietnam."}]
def rec(ids, s):
    t=float(s.max()); _=t-(t+float(np.log(np.exp(s-t).sum()))); return s
res={True:[], False:[]}
for rep in range(3):
    for use in (False, True):
        t0=time.perf_counter()
        out=L.create_chat_completion(messages=msgs, max_tokens=120, temperature=0, top_k=1, seed=0, logits_processor=[rec] if use else None)
        n=out["usage"]["completion_tokens"]; res[use].append((time.perf_counter()-t0)/n)
print({k: round(float(np.median(v))*1000,1) for k,v in res.items()}, "ms/token")
