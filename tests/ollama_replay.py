"""A loopback HTTP server replaying Ollama's documented /api/tags, /api/show and streaming /api/chat responses.

No Ollama server can be installed on these machines; this replays the recorded contract
(https://github.com/ollama/ollama/blob/main/docs/api.md) so the Ollama backend's real client code runs.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Replay:
    def __init__(self, model="qwen2.5:0.5b", answer_tokens=None, delay=0.0):
        self.model = model
        self.answer_tokens = answer_tokens or ["Kim ngạch", " thương mại", " đạt 2,6 tỷ USD", " năm 2025 [1]."]
        self.delay = delay
        self.requests: list[dict] = []
        replay = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _json(self, code, obj):
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/api/tags":
                    self._json(200, {"models": [{
                        "name": replay.model, "model": replay.model, "modified_at": "2025-05-01T10:00:00Z",
                        "size": 397821319, "digest": "a8b0c5157701", "details": {
                            "parent_model": "", "format": "gguf", "family": "qwen2", "families": ["qwen2"],
                            "parameter_size": "494.03M", "quantization_level": "Q4_K_M"}}]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                req = json.loads(self.rfile.read(n) or b"{}")
                replay.requests.append({"path": self.path, "body": req})
                if replay.delay:
                    time.sleep(replay.delay)
                if self.path == "/api/show":
                    if req.get("model") != replay.model:
                        return self._json(404, {"error": f"model '{req.get('model')}' not found"})
                    return self._json(200, {"modelfile": "FROM qwen2.5", "parameters": "stop \"<|im_end|>\"",
                                            "template": "{{ .Prompt }}", "details": {"family": "qwen2"},
                                            "model_info": {"qwen2.context_length": 32768}})
                if self.path == "/api/chat":
                    if req.get("model") != replay.model:
                        return self._json(404, {"error": f"model \"{req.get('model')}\" not found, try pulling it first"})
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-ndjson")
                    self.end_headers()
                    for tok in replay.answer_tokens:
                        line = {"model": replay.model, "created_at": "2025-05-01T10:00:00Z",
                                "message": {"role": "assistant", "content": tok}, "done": False}
                        self.wfile.write((json.dumps(line) + "\n").encode())
                        self.wfile.flush()
                    final = {"model": replay.model, "created_at": "2025-05-01T10:00:01Z",
                             "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                             "total_duration": 1200000000, "load_duration": 1000000, "prompt_eval_count": 321,
                             "prompt_eval_duration": 500000000, "eval_count": len(replay.answer_tokens),
                             "eval_duration": 600000000}
                    self.wfile.write((json.dumps(final) + "\n").encode())
                    return
                self._json(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
