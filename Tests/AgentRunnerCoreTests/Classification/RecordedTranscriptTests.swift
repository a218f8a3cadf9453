import XCTest

@testable import AgentRunnerCore

/// Every recorded transcript in `Fixtures/agent-output/` through the classifier of its preset:
/// bucket, classification, reset and raw text. claude-* and aider-* are the real CLIs against
/// provider stand-ins; the others are samples built from the original's plugin rules.
final class RecordedTranscriptTests: XCTestCase {
    struct Expected {
        var classification: TransientError.Classification?
        /// Seconds after ``AgentOutputFixtures/now``, or an absolute epoch (server-stated resets).
        var reset: Reset?
        /// The provider's message as the transcript has it; `raw` is its first 200 characters.
        var message: String?
        var auth = false
        /// The CLI's output says the run failed (also for errors without a bucket).
        var failed = false

        enum Reset {
            case after(Int64)
            case at(Int64)
        }

        static let none = Expected()
        static func transient(
            _ classification: TransientError.Classification, _ reset: Reset, _ message: String
        ) -> Expected {
            Expected(classification: classification, reset: reset, message: message, failed: true)
        }
        static func auth(_ message: String) -> Expected {
            Expected(message: message, auth: true, failed: true)
        }
    }

    static let claude429 =
        "API Error: Request rejected (429) · This request would exceed the rate limit for your "
        + "organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."
    static let claudeGateway429 =
        "API Error: Server is temporarily limiting requests (not your usage limit) · This "
        + "request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: "
        + "https://docs.claude.com/en/api/rate-limits."
    static func claude500(port: Int) -> String {
        "API Error: 500 Internal server error. This is a server-side issue, usually temporary — try again in a "
            + "moment. If it persists, check your inference gateway (127.0.0.1:\(port))."
    }
    static func claude529(port: Int) -> String {
        "API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment. "
            + "If it persists, check your inference gateway (127.0.0.1:\(port))."
    }
    static let claudeRefused = "API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)"
    static let aider429 =
        "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o-mini "
        + "in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in "
        + "20s. Visit https://platform.openai.com/account/rate-limits to learn more."
    static let aider500 =
        "litellm.InternalServerError: InternalServerError: OpenAIException - The server had an error "
        + "while processing your request. Sorry about that!"

    static let expected: [String: Expected] = [
        "aider-connection-refused.log": .transient(
            .networkError, .after(30),
            "litellm.InternalServerError: InternalServerError: OpenAIException - Connection error."),
        "aider-edit-diff-existing.log": .none,
        "aider-edit-no-stream.log": .none,
        "aider-edit-online-defaults.log": .none,
        "aider-edit.log": .none,
        "aider-error-401.log": .auth(
            "litellm.AuthenticationError: AuthenticationError: OpenAIException - Incorrect "
                + "API key provided: sk-***. You can find your API key at https://platform.openai.com/account/api-keys."
        ),
        "aider-error-429-bounded.log": .transient(.rateLimitModel, .after(20), aider429),
        "aider-error-429-max-retries-0.log": .transient(.rateLimitModel, .after(20), aider429),
        "aider-error-429-retry-after-2.log": .transient(.rateLimitModel, .after(20), aider429),
        "aider-error-500.log": .transient(.apiTransient5xx, .after(60), aider500),
        "aider-error-503.log": .transient(
            .apiTransient5xx, .after(60),
            "litellm.ServiceUnavailableError: ServiceUnavailableError: OpenAIException - "
                + "The engine is currently overloaded, please try again later"
        ),
        "aider-shell-suggestion-diff.log": .none,
        "aider-shell-suggestion.log": .none,
        "aider-stall-timeout-10.log": .transient(
            .apiTimeout, .after(30),
            "litellm.APIConnectionError: APIConnectionError: OpenAIException - timed out"),
        "aider-stall.log": .none,
        "claude-bash-sleep-blocked.log": .none,
        "claude-bash-sleep-killed.log": .none,
        "claude-connection-refused-retries2.log": .transient(.networkError, .after(30), claudeRefused),
        "claude-connection-refused.log": .transient(.networkError, .after(30), claudeRefused),
        "claude-default-retries-429-retry-after-60.log": .transient(
            .rateLimitModel, .after(74),
            "claude was still "
                + "retrying (attempt 1 of 10, error_status 429, rate_limit) when the round ended"),
        "claude-default-retries-500.log": .transient(.apiTransient5xx, .after(60), claude500(port: 41369)),
        "claude-error-400.log": Expected(failed: true),
        "claude-error-401.log": .auth("Invalid API key · Fix external API key"),
        "claude-error-403.log": .auth(
            "Failed to authenticate. API Error: 403 Your API key does not have permission "
                + "to use the specified resource."),
        "claude-error-429-requests-reset.log": .transient(.rateLimitModel, .after(60), claude429),
        "claude-error-429-tokens-reset.log": .transient(.rateLimitModel, .after(60), claude429),
        "claude-error-429-unified-reset.log": .transient(.rateLimitModel, .after(60), claude429),
        "claude-error-429.log": .transient(.rateLimitModel, .after(60), claude429),
        "claude-error-500.log": .transient(.apiTransient5xx, .after(60), claude500(port: 43219)),
        "claude-error-529.log": .transient(.apiTransient5xx, .after(60), claude529(port: 44201)),
        "claude-gateway-401.log": .auth("Invalid API key · Fix external API key"),
        "claude-gateway-429-five-hour-retries2.log": .transient(
            .rateLimitAccount, .at(1_796_257_133),
            "You've hit your 5-hour limit · resets 12:18am (UTC)"),
        "claude-gateway-429-five-hour.log": .transient(
            .rateLimitAccount, .at(1_796_257_125),
            "You've hit your 5-hour limit · resets 12:18am (UTC)"),
        "claude-gateway-429-plain.log": .transient(.rateLimitModel, .after(60), claudeGateway429),
        "claude-gateway-429-seven-day.log": .transient(
            .rateLimitAccount, .at(1_796_453_523),
            "You've hit your weekly limit · resets Dec 5, 6:52am (UTC)"),
        "claude-gateway-429-unified-reset-only.log": .transient(
            .rateLimitAccount, .at(1_796_257_097), claudeGateway429),
        "claude-gateway-text-allowed-warning.log": .none,
        "claude-retries1-429-requests-reset-60.log": .transient(.rateLimitModel, .after(60), claude429),
        "claude-retries1-429-retry-after-30.log": .transient(.rateLimitModel, .after(60), claude429),
        "claude-retries1-429-retry-after-600.log": .transient(.rateLimitModel, .after(60), claude429),
        "claude-retries2-429-retry-after-5.log": .transient(.rateLimitModel, .after(60), claude429),
        "claude-retries2-500.log": .transient(.apiTransient5xx, .after(60), claude500(port: 43233)),
        "claude-retries2-529.log": .transient(.apiTransient5xx, .after(60), claude529(port: 46155)),
        "claude-root-refusal.log": .none,
        "claude-sighup-during-bash.log": .none,
        "claude-sigint-during-bash.log": .none,
        "claude-sigterm-during-bash.log": .none,
        "claude-sigterm-group-during-bash.log": .none,
        "claude-stall-api-timeout-30s.log": .none,
        "claude-stall-before-headers.log": .transient(
            .apiTimeout, .after(30),
            "Request timed out. No data arrived for "
                + "more than 5 minutes. If a proxy or gateway on your network holds responses until they complete, set "
                + "CLAUDE_STREAM_IDLE_TIMEOUT_MS above the limit in force (300000"),
        "claude-stall-idle-timeout-30s.log": .none,
        "claude-stall.log": .transient(
            .apiTimeout, .after(30),
            "Request timed out. If the API is slow to answer, or a "
                + "proxy or gateway holds responses, set API_TIMEOUT_MS above the limit in force (600000 by default)."),
        "claude-stream-error-overloaded.log": .transient(.apiTransient5xx, .after(60), claude529(port: 44091)),
        "claude-text.log": .none,
        "claude-tool-write.log": .none,
        "codewhale-5xx.log": .transient(.apiTransient5xx, .after(60), "upstream service unavailable"),
        "codewhale-auth.log": .auth("Authentication failed: invalid api key (DEEPSEEK_API_KEY)"),
        "codewhale-rate-limit.log": .transient(
            .rateLimitModel, .after(20),
            "Rate limit reached for requests: please retry after 20s"),
        "codewhale-timeout.log": .transient(.apiTimeout, .after(30), "request timed out waiting for the provider"),
        "gemini-5xx.log": .transient(.apiTransient5xx, .after(60), "The model is overloaded. Please try again later."),
        "gemini-auth.log": .auth(
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                + "cookie or other valid authentication credential."),
        "gemini-rate-limit.log": .transient(
            .rateLimitModel, .after(60), "Resource has been exhausted (e.g. check quota)."),
        "gemini-timeout.log": .transient(.apiTimeout, .after(30), "Request Timeout"),
        "kimi-5xx.log": .transient(
            .apiTransient5xx, .after(60),
            "503 The engine is currently overloaded, please try again later"),
        "kimi-auth.log": .auth("401 Invalid Authentication"),
        "kimi-rate-limit.log": .transient(
            .rateLimitModel, .after(1),
            "429 Your account org-7f3 request reached "
                + "organization max RPM: 3, please try again after 1 seconds"),
        "kimi-timeout.log": .transient(.apiTimeout, .after(30), "408 Request Timeout"),
        "pi-5xx.log": .transient(.apiTransient5xx, .after(60), "503 status code (no body)"),
        "pi-auth.log": .auth(
            #"401: {"error":{"message":"Invalid Authentication","type":"invalid_authentication_error"}}"#),
        "pi-rate-limit.log": .transient(.rateLimitModel, .after(60), "429 status code (no body)"),
        "pi-timeout.log": .transient(.apiTimeout, .after(30), "Request timed out."),
    ]

    func testEveryRecordedTranscriptHasAnExpectation() throws {
        let names = try AgentOutputFixtures.names()
        XCTAssertEqual(names.count, 71, "the recorded set changed: \(names.count) files")
        XCTAssertEqual(Set(names), Set(Self.expected.keys), "a fixture without an expected verdict, or a vanished one")
    }

    func testEveryRecordedTranscriptIsClassified() throws {
        let now = AgentOutputFixtures.now
        for (name, expected) in Self.expected.sorted(by: { $0.key < $1.key }) {
            // aider exits 0 after every error, claude 1: the verdict must not depend on it.
            for exitCode: Int32 in [0, 1] {
                let analysis = try AgentOutputFixtures.analyze(name, exitCode: exitCode)
                let context = "\(name) (exit \(exitCode))"
                XCTAssertEqual(analysis.transient?.classification, expected.classification, context)
                XCTAssertEqual(analysis.reportedError, expected.failed, context)
                XCTAssertEqual(analysis.authFailure != nil, expected.auth, context)
                switch expected.reset {
                case .after(let seconds)?: XCTAssertEqual(analysis.transient?.resetAtEpoch, now + seconds, context)
                case .at(let epoch)?: XCTAssertEqual(analysis.transient?.resetAtEpoch, epoch, context)
                case nil: break
                }
                if let message = expected.message {
                    XCTAssertEqual(
                        analysis.transient?.raw ?? analysis.authFailure, String(message.prefix(200)), context)
                }
                XCTAssertEqual(analysis.networkMatch != nil, analysis.bucket == .network, context)
                if let classification = expected.classification {
                    XCTAssertEqual(analysis.bucket, classification.bucket, context)
                }
            }
        }
    }

    /// The preset list of init and the classifier catalogue cover the same CLIs, and every
    /// preset has recorded transcripts in each of the four buckets (aider and claude network
    /// included; claude's auth both 401 and 403).
    func testEveryPresetHasAFixtureInEveryBucket() {
        XCTAssertEqual(Set(AgentPreset.all.map(\.name)), AgentIdentity.presets)
        for preset in AgentIdentity.presets {
            var buckets = Set<FailureBucket>()
            for (name, expected) in Self.expected where AgentOutputFixtures.preset(of: name) == preset {
                if expected.auth { buckets.insert(.auth) }
                if let classification = expected.classification { buckets.insert(classification.bucket) }
            }
            XCTAssertEqual(buckets, Set(FailureBucket.allCases), preset)
        }
    }
}
