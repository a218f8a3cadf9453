#!/usr/bin/env python3
"""A stand-in for the OpenAI Chat Completions API, for running the real aider CLI in tests.

    python3 openai_standin.py --port-file PORTFILE --scenario SCENARIO.json \
        --request-log LOG.jsonl

Point aider at it with --openai-api-base http://127.0.0.1:PORT/v1 (any --openai-api-key).

Endpoints
  POST /v1/chat/completions   streaming (server-sent events, "data: [DONE]") or not
  GET  /v1/models             a short model list
  anything else               404 with an OpenAI error body

Scenario steps (see standin_common.py for the file format). Every step accepts `headers`
(extra response headers) and `delay_s` (wait before answering).

  {"kind": "text", "text": "..."}
      The assistant's reply, verbatim, finish_reason "stop". aider applies edits in it in
      its edit format, e.g. for --edit-format diff:
      "hello.txt\n```\n<<<<<<< SEARCH\nhello\n=======\ngoodbye\n>>>>>>> REPLACE\n```\n".
      In the default `whole` format a fenced block without a file name line before it is
      "not conforming": aider asks again up to 3 times (4 requests).

  {"kind": "edit", "path": "hello.txt", "content": "hi\n", "format": "whole", "text": "..."}
      A reply that aider applies as a file edit, after an optional preface `text`:
      `whole` (the default; aider's edit format for gpt-4o-mini) is the file name, then the
      whole new content in a fence; `diff` is a SEARCH/REPLACE block with an empty SEARCH,
      which creates the file (run aider with --edit-format diff for it). `path` is relative
      to the repository root.

  {"kind": "error", "status": 429, "message": "...", "type": "...", "code": "...",
   "retry_after": 20}
      An HTTP error with the body the real API sends:
      {"error": {"message": ..., "type": ..., "param": null, "code": ...}}.
      Defaults from the status: 400 invalid_request_error, 401 invalid_api_key, 403,
      404 model_not_found, 429 rate_limit_exceeded (with x-ratelimit-* headers),
      500 server_error, 502/503 overloaded. `retry_after` sets the retry-after header
      (seconds) and x-ratelimit-reset-requests/-tokens ("20s"). The OpenAI SDK inside aider
      retries each error twice (honouring retry-after up to 60 s) and aider retries that
      9 times, so one aider run sends up to 27 requests.

  {"kind": "stall", "text": "partial", "stall_s": null, "ping_every_s": null,
   "before_headers": false}
      Streaming: send the headers, a first chunk and (if `text`) part of the reply, then
      nothing more. Not streaming, or "before_headers": true: send nothing at all. The
      connection stays open until the client gives up, the stand-in stops, or `stall_s`
      passes; `ping_every_s` sends an SSE comment line (": keep-alive") that often.

aider asks its weak model (the same model, for gpt-4o-mini) for a commit message after an edit
when auto-commits are on. Those requests are recognised by aider's commit system prompt and
answered with "chore: stand-in commit" without consuming a step (logged as kind
"commit_message"), so a scenario's steps map to aider's turns.

Each request is logged as one JSON line: time, method, path, headers (credentials removed),
model, stream, message count, the last user message (truncated), step index and kind, status,
duration.
"""

import sys
import time
import uuid

sys.dont_write_bytecode = True  # keep the fixtures folder free of __pycache__
import standin_common as common  # noqa: E402 (after the line above)

ERROR_DEFAULTS = {
    400: ("invalid_request_error", None, "Invalid request: 'messages' must contain at least one message."),
    401: ("invalid_request_error", "invalid_api_key",
          "Incorrect API key provided: sk-test. You can find your API key at "
          "https://platform.openai.com/account/api-keys."),
    403: ("invalid_request_error", "unsupported_country_region_territory",
          "Country, region, or territory not supported"),
    404: ("invalid_request_error", "model_not_found",
          "The model `{model}` does not exist or you do not have access to it."),
    429: ("requests", "rate_limit_exceeded",
          "Rate limit reached for {model} in organization org-standin on requests per min (RPM): "
          "Limit 3, Used 3, Requested 1. Please try again in 20s. Visit "
          "https://platform.openai.com/account/rate-limits to learn more."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later"),
}

COMMIT_PROMPT_MARK = "Git commit messages based on the provided diffs"
MODELS = ["gpt-4o-mini", "gpt-4o"]


def message_text(message):
    content = message.get("content")
    if isinstance(content, list):  # content parts
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def render_edit(step):
    """The reply text that makes aider write `content` to `path`."""
    path, content = step["path"], step.get("content", "")
    if not content.endswith("\n"):
        content += "\n"
    preface = step.get("text", f"Here is {path}:")
    if step.get("format", "whole") == "diff":
        return f"{preface}\n\n{path}\n```\n<<<<<<< SEARCH\n=======\n{content}>>>>>>> REPLACE\n```\n"
    return f"{preface}\n\n{path}\n```\n{content}```\n"


class OpenAIHandler(common.StandinHandler):

    def route(self, method, path, body):
        self.request_id = "req_" + uuid.uuid4().hex
        self.base_headers = {"x-request-id": self.request_id, "openai-processing-ms": "12"}
        self.model = "gpt-4o-mini"
        if method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
            self.chat(body)
        elif method == "GET" and path in ("/v1/models", "/models"):
            data = [{"id": m, "object": "model", "created": 1700000000, "owned_by": "system"} for m in MODELS]
            self.send_json(200, {"object": "list", "data": data}, self.base_headers)
        else:
            self.send_error_body(404, "invalid_request_error", "unknown_url",
                                 f"Unknown request URL: {method} {path}.")

    def send_error_body(self, status, kind, code, message, headers=None):
        payload = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        self.send_json(status, payload, {**self.base_headers, **(headers or {})})

    # --- POST /v1/chat/completions ----------------------------------------------------------

    def chat(self, body):
        request = self.parse_json(body)
        if request is None:
            self.send_error_body(400, "invalid_request_error", None,
                                 "We could not parse the JSON body of your request.")
            return
        messages = request.get("messages") or []
        last_user = next((m for m in reversed(messages) if m.get("role") == "user"), {})
        self.model = request.get("model", "gpt-4o-mini")
        self.stream = bool(request.get("stream"))
        self.include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
        self.prompt_tokens = max(1, len(body) // 4)
        self.log_record.update({
            "model": self.model,
            "stream": self.stream,
            "messages": len(messages),
            "last_user_text": common.truncate(message_text(last_user)),
        })

        system = "\n".join(message_text(m) for m in messages if m.get("role") == "system")
        if COMMIT_PROMPT_MARK in system:
            self.log_record.update({"step": None, "kind": "commit_message"})
            self.reply("chore: stand-in commit", {})
            return

        try:
            index, step = self.scenario.next_step()
        except ValueError as error:
            print(f"openai stand-in: bad scenario: {error}", file=sys.stderr, flush=True)
            self.send_error_body(500, "server_error", None, f"stand-in scenario is invalid: {error}")
            return
        kind = step.get("kind", "text")
        self.log_record.update({"step": index, "kind": kind})
        self.delay(step)
        headers = dict(step.get("headers") or {})

        if kind == "text":
            self.reply(step.get("text", "OK"), headers)
        elif kind == "edit":
            self.reply(render_edit(step), headers)
        elif kind == "error":
            self.error_step(step, headers)
        elif kind == "stall":
            self.stall_step(step, headers)
        else:
            self.send_error_body(500, "server_error", None, f"stand-in scenario: unknown step kind {kind!r}")

    def error_step(self, step, headers):
        status = int(step.get("status", 500))
        kind, code, message = ERROR_DEFAULTS.get(status, ("server_error", None, "Internal server error"))
        kind = step.get("type", kind)
        code = step.get("code", code)
        message = step.get("message", message).replace("{model}", self.model)
        if step.get("retry_after") is not None:
            seconds = step["retry_after"]
            headers.setdefault("retry-after", str(seconds))
            headers.setdefault("x-ratelimit-reset-requests", f"{seconds}s")
            headers.setdefault("x-ratelimit-reset-tokens", f"{seconds}s")
        if status == 429:
            headers.setdefault("x-ratelimit-limit-requests", "3")
            headers.setdefault("x-ratelimit-remaining-requests", "0")
        self.log_record["error_type"] = kind
        self.send_error_body(status, kind, code, message, headers)

    # --- responses --------------------------------------------------------------------------

    def completion_id(self):
        return "chatcmpl-standin" + uuid.uuid4().hex[:20]

    def usage(self, text):
        completion_tokens = max(1, len(text) // 4)
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": completion_tokens,
                "total_tokens": self.prompt_tokens + completion_tokens}

    def chunk(self, completion_id, delta, finish_reason=None):
        return {"id": completion_id, "object": "chat.completion.chunk", "created": int(time.time()),
                "model": self.model, "system_fingerprint": "fp_standin",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}

    def reply(self, text, headers):
        completion_id = self.completion_id()
        headers = {**self.base_headers, **headers}
        if not self.stream:
            self.send_json(200, {
                "id": completion_id, "object": "chat.completion", "created": int(time.time()),
                "model": self.model, "system_fingerprint": "fp_standin",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                             "logprobs": None, "finish_reason": "stop"}],
                "usage": self.usage(text),
            }, headers)
            return
        self.start_stream(headers)
        self.send_event(self.chunk(completion_id, {"role": "assistant", "content": ""}))
        for start in range(0, len(text), 40):
            self.send_event(self.chunk(completion_id, {"content": text[start:start + 40]}))
        self.send_event(self.chunk(completion_id, {}, "stop"))
        if self.include_usage:
            final = self.chunk(completion_id, {})
            final["choices"] = []
            final["usage"] = self.usage(text)
            self.send_event(final)
        self.send_event("[DONE]")
        self.end_stream()

    def stall_step(self, step, headers):
        if not self.stream or step.get("before_headers"):
            self.stall(step)  # not even the headers
            return
        completion_id = self.completion_id()
        self.start_stream({**self.base_headers, **headers})
        self.send_event(self.chunk(completion_id, {"role": "assistant", "content": ""}))
        if step.get("text"):
            self.send_event(self.chunk(completion_id, {"content": step["text"]}))
        self.stall(step, keepalive=lambda: self.send_chunk(": keep-alive\n\n"))


if __name__ == "__main__":
    common.serve(OpenAIHandler, "openai stand-in")
