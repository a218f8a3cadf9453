/// A flag a verb (or the whole program) accepts. Command lines are data so that help text,
/// parsing and documentation come from one description and cannot drift apart.
public struct OptionSpec: Sendable, Equatable {
    /// The long name without dashes (`config` for `--config`).
    public var name: String
    /// A one-letter alias without the dash (`h` for `-h`), if any.
    public var short: Character?
    /// The placeholder for the value (`PATH`); nil for a boolean flag.
    public var valueName: String?
    /// One line of help.
    public var help: String

    public init(_ name: String, short: Character? = nil, value: String? = nil, help: String) {
        self.name = name
        self.short = short
        self.valueName = value
        self.help = help
    }

    /// Whether the flag takes a value.
    public var takesValue: Bool { valueName != nil }
}

/// A positional argument of a verb.
public struct PositionalSpec: Sendable, Equatable {
    public var name: String
    public var help: String
    public var optional: Bool
    /// Takes every remaining word.
    public var variadic: Bool

    public init(_ name: String, help: String, optional: Bool = false, variadic: Bool = false) {
        self.name = name
        self.help = help
        self.optional = optional
        self.variadic = variadic
    }
}

/// One verb of a program (`agent-runner config`, `fleetctl check`).
public struct VerbSpec: Sendable, Equatable {
    public var name: String
    /// One line shown in the program's verb list.
    public var summary: String
    /// Paragraphs shown under the usage line in `help VERB`.
    public var discussion: String
    public var options: [OptionSpec]
    public var positionals: [PositionalSpec]
    /// Exit codes this verb documents, shown in its help (`78: the configuration is invalid`).
    public var exitCodes: [(code: Int32, meaning: String)]
    /// The exit code of a usage error in this verb: ``ExitCode/usage`` (64) unless the verb keeps
    /// the code the original tool documented for it (`events` exits 2, as argparse did).
    public var usageExitCode: Int32

    public init(
        _ name: String, summary: String, discussion: String = "", options: [OptionSpec] = [],
        positionals: [PositionalSpec] = [], exitCodes: [(code: Int32, meaning: String)] = [],
        usageExitCode: Int32 = ExitCode.usage
    ) {
        self.usageExitCode = usageExitCode
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.options = options
        self.positionals = positionals
        self.exitCodes = exitCodes
    }

    public static func == (lhs: VerbSpec, rhs: VerbSpec) -> Bool {
        lhs.name == rhs.name && lhs.summary == rhs.summary && lhs.discussion == rhs.discussion
            && lhs.usageExitCode == rhs.usageExitCode
            && lhs.options == rhs.options && lhs.positionals == rhs.positionals
            && lhs.exitCodes.map(\.code) == rhs.exitCodes.map(\.code)
            && lhs.exitCodes.map(\.meaning) == rhs.exitCodes.map(\.meaning)
    }
}

/// A whole program: its global flags (accepted before or after the verb) and its verbs.
public struct ProgramSpec: Sendable, Equatable {
    public var name: String
    public var version: String
    public var summary: String
    public var globalOptions: [OptionSpec]
    public var verbs: [VerbSpec]

    public init(name: String, version: String, summary: String, globalOptions: [OptionSpec], verbs: [VerbSpec]) {
        self.name = name
        self.version = version
        self.summary = summary
        self.globalOptions = globalOptions
        self.verbs = verbs
    }

    public func verb(named name: String) -> VerbSpec? {
        verbs.first { $0.name == name }
    }
}
