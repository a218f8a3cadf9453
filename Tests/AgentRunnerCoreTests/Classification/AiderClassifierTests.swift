import XCTest

@testable import AgentRunnerCore

final class AiderClassifierTests: XCTestCase {
    let now = AgentOutputFixtures.now

    func analyze(_ text: String) -> TranscriptAnalysis {
        AiderTextClassifier().analyze(RoundTranscript(text: text), exit: AgentOutputFixtures.exit(0), now: now)
    }

    func testAMessageWrappedAt80ColumnsIsReadWhole() throws {
        // The hint itself is split across the wrap: "try again in" / "45s.".
        let text = """
            litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached, please try again in
            45s. Visit https://platform.openai.com/account/rate-limits to learn more.
            The API provider has rate limited you. Try again later or check your quotas.

            """
        let analysis = analyze(text)
        XCTAssertEqual(analysis.transient?.resetAtEpoch, now + 45)
        XCTAssertEqual(
            analysis.transient?.raw,
            "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit "
                + "reached, please try again in 45s. Visit https://platform.openai.com/account/rate-limits to learn "
                + "more."
        )
    }

    func testTheSameMessageUnwrappedWithWideColumns() {
        let text =
            "litellm.InternalServerError: InternalServerError: OpenAIException - Connection error.\n"
            + "The API provider's servers are down or overloaded.\n"
        XCTAssertEqual(analyze(text).transient?.classification, .networkError)
        XCTAssertEqual(analyze(text).networkMatch, "Connection error")
    }

    func testColouredErrorsAreRead() {
        let text =
            "\u{1B}[1;31mlitellm.AuthenticationError: AuthenticationError: OpenAIException - bad key\u{1B}[0m\n"
            + "\u{1B}[31mThe API provider is not able to authenticate you. Check your API key.\u{1B}[0m\n"
        XCTAssertEqual(
            analyze(text).authFailure, "litellm.AuthenticationError: AuthenticationError: OpenAIException - bad key")
    }

    func testAnErrorAiderRecoveredFromIsNoVerdict() {
        let text = """
            litellm.RateLimitError: RateLimitError: OpenAIException - slow down
            The API provider has rate limited you. Try again later or check your quotas.
            Retrying in 0.2 seconds...
            hello.txt
            Applied edit to hello.txt
            Tokens: 1.2k sent, 18 received. Cost: $0.00011 message, $0.00011 session.
            """
        let analysis = analyze(text)
        XCTAssertNil(analysis.transient)
        XCTAssertFalse(analysis.reportedError)
        XCTAssertEqual(analysis.usage?.inputTokens, 1200)
    }

    func testKilledMidRetryStillCounts() {
        let text =
            "litellm.ServiceUnavailableError: ServiceUnavailableError: OpenAIException - busy\n"
            + "The API provider's servers are down or overloaded.\nRetrying in 32.0 seconds...\n"
        XCTAssertEqual(analyze(text).transient?.classification, .apiTransient5xx)
    }

    func testOtherLitellmErrors() {
        let notFound = analyze(
            "litellm.NotFoundError: NotFoundError: OpenAIException - Error code: 404 - model not found\n")
        XCTAssertNil(notFound.bucket)
        XCTAssertTrue(notFound.reportedError, "the round failed although aider exits 0")
        XCTAssertEqual(
            analyze("litellm.APIError: APIError: OpenAIException - Error code: 502 - bad gateway\n").bucket,
            .serverError)
        XCTAssertEqual(analyze("litellm.PermissionDeniedError: PermissionDeniedError: denied\n").bucket, .auth)
        XCTAssertEqual(
            analyze("litellm.Timeout: Timeout: request took too long\n").transient?.classification, .apiTimeout)
        XCTAssertEqual(
            analyze("litellm.APIConnectionError: APIConnectionError: getaddrinfo EAI_AGAIN api.openai.com\n")
                .networkMatch, "EAI_AGAIN")
    }

    func testTheOnlineDefaultsPriceMapFailureIsNotAProviderError() throws {
        let analysis = try AgentOutputFixtures.analyze("aider-edit-online-defaults.log", exitCode: 0)
        XCTAssertNil(
            analysis.bucket, "HTTPSConnectionPool ... NameResolutionError is aider's own fetch, and it recovered")
        XCTAssertFalse(analysis.reportedError)
    }

    func testUsageFromTokenReports() throws {
        let analysis = try AgentOutputFixtures.analyze("aider-edit.log", exitCode: 0)
        XCTAssertEqual(
            analysis.usage,
            AgentUsage(model: "openai/gpt-4o-mini", inputTokens: 677, outputTokens: 18, costUSD: 0.00011))
        let cached = analyze(
            "Main model: anthropic/claude-sonnet-4-5 with diff edit format, infinite output\n"
                + "Tokens: 12k sent, 1.1k cache write, 10k cache hit, 150 received. "
                + "Cost: $0.02 message, $0.05 session.\n"
                + "Tokens: 500 sent, 50 received.\n")
        XCTAssertEqual(
            cached.usage,
            AgentUsage(
                model: "anthropic/claude-sonnet-4-5", inputTokens: 12_500, outputTokens: 200,
                cachedTokens: 10_000, cacheCreationTokens: 1_100, costUSD: 0.05))
        XCTAssertNil(analyze("Aider v0.86.2\n").usage)
    }

    func testSecretsInTheProviderMessageAreRedacted() {
        let text =
            "litellm.AuthenticationError: AuthenticationError: OpenAIException - Incorrect API key provided: \n"
            + "sk-proj-abcdefghijklmnopqrstuvwxyz. You can find your API key at https://platform.openai.com.\n\n"
        let auth = analyze(text).authFailure ?? ""
        XCTAssertFalse(auth.contains("abcdefghijkl"), auth)
        XCTAssertTrue(auth.contains("<redacted>"), auth)
    }
}
