#!/usr/bin/env python3
"""A stand-in for the Anthropic Messages API, for running the real Claude Code CLI in tests.

    python3 anthropic_standin.py --port-file PORTFILE --scenario SCENARIO.json \
        --request-log LOG.jsonl
    python3 anthropic_standin.py --gateway-token     # prints a token, see `claim` below

Point the CLI at it with ANTHROPIC_BASE_URL=http://127.0.0.1:PORT and any ANTHROPIC_API_KEY.

Endpoints
  POST /v1/messages               streaming (server-sent events) or not, as the request asks
  POST /v1/messages/count_tokens  {"input_tokens": N}, a rough estimate
  GET  /v1/models                 a short model list
  anything else                   404 with an Anthropic not_found_error body

Scenario steps (see standin_common.py for the file format). Every step accepts `headers`
(extra response headers) and `delay_s` (wait before answering).

  {"kind": "text", "text": "..."}
      One text block, stop_reason end_turn.

  {"kind": "tool_use", "name": "Write",
   "input": {"file_path": "{cwd}/a.txt", "content": "hi"},
   "text": "optional text before the call", "then": "text once the tool result is back"}
      One tool call, stop_reason tool_use. `{cwd}` in any input string becomes the working
      directory Claude Code states in the request ("Primary working directory: /x"). The
      request carrying this call's tool_result is answered with `then` (default "Done.")
      without consuming a step; "then": null makes it consume the next step instead.
      Bash: {"name": "Bash", "input": {"command": "echo hi; sleep 600", "description": "d"}}
      (Claude Code itself refuses a bare `sleep N` command: "Blocked: standalone sleep").

  {"kind": "error", "status": 429, "type": "rate_limit_error", "message": "...",
   "retry_after": 30, "reset_in_s": 30, "reset_headers": [...], "claim": "five_hour"}
      An HTTP error with the body the real API sends:
      {"type": "error", "error": {"type": ..., "message": ...}, "request_id": "req_..."}.
      `type` and `message` default from the status (400 invalid_request_error,
      401 authentication_error, 403 permission_error, 404 not_found_error,
      413 request_too_large, 429 rate_limit_error, 500 api_error, 529 overloaded_error).
      `retry_after` sets the retry-after header. `reset_in_s` sets the reset headers a real
      429 carries, that many seconds ahead: anthropic-ratelimit-{requests,tokens,
      input-tokens,output-tokens}-reset as RFC 3339 times, anthropic-ratelimit-unified-reset
      as unix seconds (with -unified-status "rejected"); `reset_headers` keeps only the
      named ones. `claim` ("five_hour", "seven_day", ...) adds the subscription usage-limit
      headers (-unified-representative-claim and that window's -status, -reset and
      -utilization), so Claude Code says "You've hit your 5-hour limit · resets ...".
      Claude Code reads the unified headers only for a claude.ai login or a gateway token:
      set ANTHROPIC_AUTH_TOKEN to the output of --gateway-token (an unsigned JWT with
      "aud": "claude-gateway") and it prints rate_limit_event records with resetsAt; with
      only an ANTHROPIC_API_KEY it ignores every reset header.
      Note: Claude Code answers a 400 by retrying with fewer anthropic-beta values (up to 6
      requests), whatever CLAUDE_CODE_MAX_RETRIES says.

  {"kind": "stream_error", "type": "overloaded_error", "message": "Overloaded"}
      A 200 stream that starts (message_start, part of a text block), then sends an SSE
      `error` event and ends, as the API does when it fails mid-stream. Not streaming: a
      plain error (status 529 unless `status` is given). Claude Code follows a broken stream
      with a non-streaming request, which consumes the next step.

  {"kind": "stall", "text": "partial", "stall_s": null, "ping_every_s": null,
   "before_headers": false}
      Streaming: send the headers, message_start and (if `text`) part of a text block, then
      nothing more. Not streaming, or "before_headers": true: send nothing at all. The
      connection stays open until the client gives up, the stand-in stops, or `stall_s`
      passes; `ping_every_s` sends an SSE ping that often meanwhile. Claude Code gives up on
      a silent stream after 5 minutes and then retries without streaming (5 more minutes).

Each request is logged as one JSON line: time, method, path, headers (credentials removed),
model, stream, max_tokens, tool count, the last user text (truncated), step index and kind,
status, duration.
"""

import base64
import json
import re
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

sys.dont_write_bytecode = True  # keep the fixtures folder free of __pycache__
import standin_common as common  # noqa: E402 (after the line above)

ERROR_DEFAULTS = {
    400: ("invalid_request_error", "messages: at least one message is required"),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "Not found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "This request would exceed the rate limit for your organization "
          "of 50 requests per minute. For details, refer to: "
          "https://docs.claude.com/en/api/rate-limits."),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}

RESET_HEADERS = [
    "anthropic-ratelimit-requests-reset",
    "anthropic-ratelimit-tokens-reset",
    "anthropic-ratelimit-input-tokens-reset",
    "anthropic-ratelimit-output-tokens-reset",
    "anthropic-ratelimit-unified-reset",
]

# Subscription limit names (representative claim) and their header infix.
CLAIM_WINDOWS = {"five_hour": "5h", "seven_day": "7d", "seven_day_opus": "7d_opus",
                 "seven_day_sonnet": "7d_sonnet", "overage": "overage"}

MODELS = ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"]

# Tool calls we issued and what to answer when their result comes back: id -> then-text|None.
PENDING_TOOL_CALLS = {}
PENDING_LOCK = threading.Lock()
COUNTER = {"n": 0}


def next_id(prefix):
    with PENDING_LOCK:
        COUNTER["n"] += 1
        return f"{prefix}_standin_{COUNTER['n']:04d}_{uuid.uuid4().hex[:8]}"


def block_text(content):
    """Plain text of a message's content: a string, or a list of blocks."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            parts.append(block.get("text", ""))
        elif block.get("type") == "tool_result":
            call = block.get("tool_use_id", "?")
            parts.append(f"[tool_result {call}] " + block_text(block.get("content")))
    return "\n".join(parts)


def prompt_text(content):
    """What the user said last, for the request log: the last text or tool_result block that
    is not one of Claude Code's <system-reminder> blocks (it sends many before the prompt)."""
    if isinstance(content, str):
        return content
    for block in reversed(content or []):
        text = block_text([block])
        if text and not text.lstrip().startswith("<system-reminder>"):
            return text
    return block_text(content)


def working_directory(request):
    """The working directory Claude Code states ("Primary working directory: /x"), or None."""
    system = request.get("system")
    texts = [system if isinstance(system, str) else block_text(system)]
    texts += [block_text(m.get("content")) for m in request.get("messages") or []]
    for text in texts:
        match = re.search(r"[Ww]orking directory: (/\S+)", text or "")
        if match:
            return match.group(1)
    return None


def substitute_cwd(value, cwd):
    """Replace `{cwd}` in every string of a tool input."""
    if isinstance(value, str):
        return value.replace("{cwd}", cwd or "")
    if isinstance(value, list):
        return [substitute_cwd(v, cwd) for v in value]
    if isinstance(value, dict):
        return {k: substitute_cwd(v, cwd) for k, v in value.items()}
    return value


def rfc3339_in(seconds):
    moment = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class AnthropicHandler(common.StandinHandler):

    def route(self, method, path, body):
        request_id = "req_standin_" + uuid.uuid4().hex[:20]
        self.base_headers = {"request-id": request_id}
        self.request_id = request_id
        if method == "POST" and path == "/v1/messages":
            self.messages(body)
        elif method == "POST" and path == "/v1/messages/count_tokens":
            self.send_json(200, {"input_tokens": max(1, len(body) // 4)}, self.base_headers)
        elif method == "GET" and path == "/v1/models":
            data = [{"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"}
                    for m in MODELS]
            page = {"data": data, "has_more": False, "first_id": MODELS[0], "last_id": MODELS[-1]}
            self.send_json(200, page, self.base_headers)
        else:
            self.send_error_body(404, "not_found_error", f"Not found: {method} {path}")

    def send_error_body(self, status, kind, message, headers=None):
        payload = {"type": "error", "error": {"type": kind, "message": message},
                   "request_id": self.request_id}
        self.send_json(status, payload, {**self.base_headers, **(headers or {})})

    # --- POST /v1/messages ----------------------------------------------------------------

    def messages(self, body):
        request = self.parse_json(body)
        if request is None:
            self.send_error_body(400, "invalid_request_error", "Request body is not valid JSON")
            return
        messages = request.get("messages") or []
        last_user = next((m for m in reversed(messages) if m.get("role") == "user"), {})
        self.model = request.get("model", "claude-sonnet-4-5")
        self.stream = bool(request.get("stream"))
        self.input_tokens = max(1, len(body) // 4)
        self.cwd = working_directory(request)
        self.log_record.update({
            "model": self.model,
            "stream": self.stream,
            "max_tokens": request.get("max_tokens"),
            "tools": len(request.get("tools") or []),
            "messages": len(messages),
            "last_user_text": common.truncate(prompt_text(last_user.get("content"))),
        })

        # The result of a tool call we made: answer with its follow-up text unless told not to.
        results = [b.get("tool_use_id") for b in (last_user.get("content") or [])
                   if isinstance(b, dict) and b.get("type") == "tool_result"]
        with PENDING_LOCK:
            pending = [r for r in results if r in PENDING_TOOL_CALLS]
            then = PENDING_TOOL_CALLS.pop(pending[0]) if pending else None
        if pending and then is not None:
            self.log_record.update({"step": None, "kind": "tool_result_followup"})
            self.reply([{"type": "text", "text": then}], "end_turn", {})
            return

        try:
            index, step = self.scenario.next_step()
        except ValueError as error:
            print(f"anthropic stand-in: bad scenario: {error}", file=sys.stderr, flush=True)
            self.send_error_body(500, "api_error", f"stand-in scenario is invalid: {error}")
            return
        kind = step.get("kind", "text")
        self.log_record.update({"step": index, "kind": kind})
        self.delay(step)
        headers = dict(step.get("headers") or {})

        if kind == "text":
            self.reply([{"type": "text", "text": step.get("text", "OK")}], "end_turn", headers)
        elif kind == "tool_use":
            call_id = next_id("toolu")
            with PENDING_LOCK:
                PENDING_TOOL_CALLS[call_id] = step.get("then", "Done.")
            content = [{"type": "text", "text": step["text"]}] if step.get("text") else []
            content.append({"type": "tool_use", "id": call_id, "name": step.get("name", "Bash"),
                            "input": substitute_cwd(step.get("input") or {}, self.cwd)})
            self.log_record["tool_use_id"] = call_id
            self.reply(content, "tool_use", headers)
        elif kind == "error":
            self.error_step(step, headers)
        elif kind == "stream_error":
            self.stream_error_step(step, headers)
        elif kind == "stall":
            self.stall_step(step, headers)
        else:
            self.send_error_body(500, "api_error", f"stand-in scenario: unknown step kind {kind!r}")

    def error_step(self, step, headers):
        status = int(step.get("status", 500))
        kind, message = ERROR_DEFAULTS.get(status, ("api_error", "Internal server error"))
        kind = step.get("type", kind)
        message = step.get("message", message)
        if step.get("retry_after") is not None:
            headers.setdefault("retry-after", str(step["retry_after"]))
        if step.get("reset_in_s") is not None:
            seconds = float(step["reset_in_s"])
            wanted = step.get("reset_headers") or RESET_HEADERS
            for name in wanted:
                if name == "anthropic-ratelimit-unified-reset":
                    headers.setdefault(name, str(int(time.time() + seconds)))
                    headers.setdefault("anthropic-ratelimit-unified-status", "rejected")
                else:
                    headers.setdefault(name, rfc3339_in(seconds))
        if step.get("claim"):
            claim = step["claim"]
            window = CLAIM_WINDOWS.get(claim, claim)
            reset = str(int(time.time() + float(step.get("reset_in_s", 3600))))
            headers.setdefault("anthropic-ratelimit-unified-status", "rejected")
            headers.setdefault("anthropic-ratelimit-unified-reset", reset)
            headers.setdefault("anthropic-ratelimit-unified-representative-claim", claim)
            headers.setdefault(f"anthropic-ratelimit-unified-{window}-status", "rejected")
            headers.setdefault(f"anthropic-ratelimit-unified-{window}-reset", reset)
            headers.setdefault(f"anthropic-ratelimit-unified-{window}-utilization", "1.0")
        if status == 429:
            headers.setdefault("anthropic-ratelimit-requests-limit", "50")
            headers.setdefault("anthropic-ratelimit-requests-remaining", "0")
        self.log_record["error_type"] = kind
        self.send_error_body(status, kind, message, headers)

    # --- responses ------------------------------------------------------------------------

    def message_shell(self, content, stop_reason, output_tokens):
        return {
            "id": next_id("msg"),
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": self.input_tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": output_tokens,
                "service_tier": "standard",
            },
        }

    def reply(self, content, stop_reason, headers):
        output_tokens = max(1, len(json.dumps(content)) // 4)
        headers = {**self.base_headers, **headers}
        if not self.stream:
            self.send_json(200, self.message_shell(content, stop_reason, output_tokens), headers)
            return
        self.start_stream(headers)
        self.stream_start()
        for index, block in enumerate(content):
            if block["type"] == "text":
                self.send_event({"type": "content_block_start", "index": index,
                                 "content_block": {"type": "text", "text": ""}}, "content_block_start")
                for piece in pieces(block["text"]):
                    self.send_event({"type": "content_block_delta", "index": index,
                                     "delta": {"type": "text_delta", "text": piece}}, "content_block_delta")
            else:  # tool_use: the input arrives as partial JSON
                start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
                self.send_event({"type": "content_block_start", "index": index, "content_block": start},
                                "content_block_start")
                for piece in pieces(json.dumps(block["input"])):
                    self.send_event({"type": "content_block_delta", "index": index,
                                     "delta": {"type": "input_json_delta", "partial_json": piece}},
                                    "content_block_delta")
            self.send_event({"type": "content_block_stop", "index": index}, "content_block_stop")
        self.send_event({"type": "message_delta",
                         "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                         "usage": {"output_tokens": output_tokens}}, "message_delta")
        self.send_event({"type": "message_stop"}, "message_stop")
        self.end_stream()

    def stream_start(self):
        message = self.message_shell([], None, 1)
        self.send_event({"type": "message_start", "message": message}, "message_start")
        self.send_event({"type": "ping"}, "ping")

    def stream_error_step(self, step, headers):
        if not self.stream:  # nothing to break mid-way: answer as a plain error
            self.error_step({**step, "status": step.get("status", 529)}, headers)
            return
        self.start_stream({**self.base_headers, **headers})
        self.stream_start()
        self.send_event({"type": "content_block_start", "index": 0,
                         "content_block": {"type": "text", "text": ""}}, "content_block_start")
        self.send_event({"type": "content_block_delta", "index": 0,
                         "delta": {"type": "text_delta", "text": step.get("text", "Working on")}},
                        "content_block_delta")
        error = {"type": step.get("type", "overloaded_error"), "message": step.get("message", "Overloaded")}
        self.send_event({"type": "error", "error": error}, "error")
        self.log_record["error_type"] = error["type"]
        self.end_stream()

    def stall_step(self, step, headers):
        if not self.stream or step.get("before_headers"):
            self.stall(step)  # not even the headers
            return
        self.start_stream({**self.base_headers, **headers})
        self.stream_start()
        if step.get("text"):
            self.send_event({"type": "content_block_start", "index": 0,
                             "content_block": {"type": "text", "text": ""}}, "content_block_start")
            self.send_event({"type": "content_block_delta", "index": 0,
                             "delta": {"type": "text_delta", "text": step["text"]}}, "content_block_delta")
        self.stall(step, keepalive=lambda: self.send_event({"type": "ping"}, "ping"))


def gateway_token():
    """An unsigned JWT with "aud": "claude-gateway", for ANTHROPIC_AUTH_TOKEN.

    Claude Code treats such a token as an LLM gateway's and then reads the
    anthropic-ratelimit-unified-* headers as it does for a claude.ai subscription (usage-limit
    messages, rate_limit_event records). Print one with: anthropic_standin.py --gateway-token
    """
    def encode(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    claims = {"aud": "claude-gateway", "sub": "standin", "exp": int(time.time()) + 7 * 86400}
    return encode({"alg": "none", "typ": "JWT"}) + "." + encode(claims) + ".standin"


def pieces(text, size=40):
    """Split a string into stream deltas (at least one, possibly empty)."""
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


if __name__ == "__main__":
    if sys.argv[1:] == ["--gateway-token"]:
        print(gateway_token())
    else:
        common.serve(AnthropicHandler, "anthropic stand-in")
