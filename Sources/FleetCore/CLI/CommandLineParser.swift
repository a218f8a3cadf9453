/// What the words of a command line ask for.
public enum CommandLineRequest: Sendable, Equatable {
    /// `--version` anywhere before the verb.
    case version
    /// `--help`, `-h`, `help` or `help VERB`: help for the program (nil) or one verb.
    case help(verb: String?)
    /// Run a verb.
    case run(ParsedArguments)
}

/// Turns argv into a ``CommandLineRequest`` following a ``ProgramSpec``.
///
/// Conventions operators expect from git, systemctl and the original Python tool: global flags
/// before or after the verb (later ones win), `--flag=value` and `--flag value`, `--` ends the
/// flags, and every mistake is a ``UsageError`` naming the word at fault.
public struct CommandLineParser: Sendable {
    public var program: ProgramSpec

    public init(program: ProgramSpec) {
        self.program = program
    }

    /// Parses `arguments` (argv without the program name).
    public func parse(_ arguments: [String]) throws(UsageError) -> CommandLineRequest {
        var index = 0
        var parsed = ParsedArguments(verb: "")
        var verbSpec: VerbSpec?
        var onlyPositionals = false

        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("-") || word == "-" {
                if verbSpec == nil {
                    if word == "help" {
                        let topic = index < arguments.count ? arguments[index] : nil
                        if let topic, program.verb(named: topic) == nil {
                            throw unknownVerb(topic)
                        }
                        return .help(verb: topic)
                    }
                    guard let spec = program.verb(named: word) else {
                        throw unknownVerb(word)
                    }
                    verbSpec = spec
                    parsed.verb = word
                } else {
                    parsed.positionals.append(word)
                }
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            if word == "--help" || word == "-h" {
                return .help(verb: verbSpec?.name)
            }
            if word == "--version" && verbSpec == nil {
                return .version
            }
            let (name, inlineValue) = try splitFlag(word, verb: verbSpec?.name)
            let candidates = program.globalOptions + (verbSpec?.options ?? [])
            guard
                let option = candidates.first(where: {
                    $0.name == name || ($0.short.map { String($0) } == name && word.count == 2)
                })
            else {
                let scope = verbSpec.map { "'\(program.name) \($0.name)'" } ?? "'\(program.name)'"
                let known = candidates.map { "--" + $0.name }
                let typed = "--" + name
                let hint = word.hasPrefix("--") ? ClosestName.suggestion(for: typed, in: known) : ""
                throw UsageError("unknown flag \(word) for \(scope)\(hint)", verb: verbSpec?.name)
            }
            if option.takesValue {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else {
                    throw UsageError(
                        "--\(option.name) needs a value (\(option.valueName ?? "VALUE"))", verb: verbSpec?.name)
                }
                parsed.values[option.name, default: []].append(value)
            } else {
                if inlineValue != nil {
                    throw UsageError("--\(option.name) takes no value", verb: verbSpec?.name)
                }
                parsed.flags.insert(option.name)
            }
        }

        guard let verbSpec else {
            return .help(verb: nil)
        }
        try checkPositionals(parsed.positionals, of: verbSpec)
        return .run(parsed)
    }

    /// `unknown verb 'stauts'; did you mean 'status'?`: the pointer to the verb list is added once,
    /// by ``ProgramRunner/usageFailure(_:context:)``.
    private func unknownVerb(_ word: String) -> UsageError {
        UsageError("unknown verb '\(word)'" + ClosestName.suggestion(for: word, in: program.verbs.map(\.name)))
    }

    private func splitFlag(_ word: String, verb: String?) throws(UsageError) -> (String, String?) {
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            if let equals = body.firstIndex(of: "=") {
                return (String(body[..<equals]), String(body[body.index(after: equals)...]))
            }
            return (String(body), nil)
        }
        guard word.count == 2 else {
            throw UsageError("unknown flag \(word); long flags take two dashes", verb: verb)
        }
        return (String(word.dropFirst()), nil)
    }

    private func checkPositionals(_ words: [String], of verb: VerbSpec) throws(UsageError) {
        let required = verb.positionals.filter { !$0.optional }.count
        let variadic = verb.positionals.contains { $0.variadic }
        if words.count < required {
            let missing = verb.positionals.filter { !$0.optional }[words.count].name
            throw UsageError("missing \(missing)", verb: verb.name)
        }
        if !variadic && words.count > verb.positionals.count {
            throw UsageError("unexpected argument '\(words[verb.positionals.count])'", verb: verb.name)
        }
    }
}
