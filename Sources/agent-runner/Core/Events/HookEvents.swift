import FleetCore

// The events of `[hooks]` commands.

/// `hook_failed`: a pre- or post-round hook exited non-zero, timed out or could not start. The
/// round goes on; `traceback` is always empty (the original's Python hooks had one).
public struct HookFailed: TypedEvent {
    /// When the hook ran.
    public enum Phase: String, Sendable {
        case preRound = "pre_round"
        case postRound = "post_round"
    }

    public static let kind = EventKind.hookFailed
    public static let fields: [EventField<Self>] = [
        .string("hook_name", \.hookName), .string("hook_kind", \.phase.rawValue),
        .string("error_type", \.errorType), .string("error_message", \.errorMessage),
        .constant("traceback", ""),
    ]

    public var hookName: String
    public var phase: Phase
    /// `timeout`, or how it exited (`exit 3`, `signal SIGKILL`).
    public var errorType: String
    public var errorMessage: String

    public init(hookName: String, phase: Phase, errorType: String, errorMessage: String) {
        self.hookName = hookName
        self.phase = phase
        self.errorType = errorType
        self.errorMessage = errorMessage
    }

    /// The failure of `hook` as its outcome tells it.
    public init(hook: String, phase: Phase, outcome: HookRunner.Outcome) {
        self.init(hookName: hook, phase: phase, errorType: outcome.failureText, errorMessage: outcome.outputTail)
    }
}

/// `serve_startup_hook_failed`: a `serve_startup` hook failed, so serve stops (exit 1) before
/// its first round. `exit_code` is null after a timeout or a signal.
public struct ServeStartupHookFailed: TypedEvent {
    public static let kind = EventKind.serveStartupHookFailed
    public static let fields: [EventField<Self>] = [
        .string("hook", \.hook), .int("exit_code", \.exitCode), .string("exc_type", \.excType),
        .string("exc_msg", \.outputTail), .string("stderr_tail", \.outputTail),
    ]

    public var hook: String
    public var exitCode: Int?
    public var excType: String
    public var outputTail: String

    public init(hook: String, exitCode: Int?, excType: String, outputTail: String) {
        self.hook = hook
        self.exitCode = exitCode
        self.excType = excType
        self.outputTail = outputTail
    }

    /// The failure of `hook` as its outcome tells it.
    public init(hook: String, outcome: HookRunner.Outcome) {
        var code: Int?
        if !outcome.timedOut, case .terminated(let status) = outcome.exit { code = Int(status) }
        self.init(hook: hook, exitCode: code, excType: outcome.failureText, outputTail: outcome.outputTail)
    }
}

/// `prompt_overwritten`: a pre-round hook changed a prompt file (hashes are `sha256:<hex>`,
/// null for a missing file), so the round's prompt differs from the file an operator reviewed.
public struct PromptOverwritten: TypedEvent {
    public static let kind = EventKind.promptOverwritten
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("phase", \.phase), .string("hook", \.hook),
        .string("prompt_path", \.promptPath),
        EventField("old_hash", type: "str|null") { $0.oldSHA256.map { .string("sha256:" + $0) } ?? .null },
        EventField("new_hash", type: "str|null") { $0.newSHA256.map { .string("sha256:" + $0) } ?? .null },
    ]

    public var roundNum: Int
    public var phase: String?
    public var hook: String
    public var promptPath: String
    /// Hex SHA-256 of the file before and after the hook; nil when it did not exist.
    public var oldSHA256: String?
    public var newSHA256: String?

    public init(
        roundNum: Int, phase: String?, hook: String, promptPath: String, oldSHA256: String?,
        newSHA256: String?
    ) {
        self.roundNum = roundNum
        self.phase = phase
        self.hook = hook
        self.promptPath = promptPath
        self.oldSHA256 = oldSHA256
        self.newSHA256 = newSHA256
    }
}
