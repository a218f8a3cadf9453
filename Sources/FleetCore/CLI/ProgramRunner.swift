/// The common front of both programs: parse argv, answer `--version` and help, turn usage and
/// configuration errors into one line on stderr and the documented exit code, dispatch the rest.
public struct ProgramRunner: Sendable {
    public var program: ProgramSpec

    /// The program with the verbs every program has (`completions`, `man`) added, their help
    /// written with the program's own name.
    public init(program: ProgramSpec) {
        var program = program
        program.verbs += [Self.completionsSpec(program: program.name), Self.manSpec(program: program.name)]
        self.program = program
    }

    /// Runs `arguments` (argv without the program name); returns the exit code.
    public func run(
        _ arguments: [String], context: CommandContext, dispatch: (ParsedArguments, CommandContext) -> Int32
    ) -> Int32 {
        let request: CommandLineRequest
        do {
            request = try CommandLineParser(program: program).parse(arguments)
        } catch {
            return usageFailure(error, context: context)
        }
        switch request {
        case .version:
            context.stdout.write("\(program.name) \(program.version)\n")
            return ExitCode.success
        case .help(let verb):
            if let verb, let spec = program.verb(named: verb) {
                context.stdout.write(HelpFormatter.verbHelp(spec, of: program))
            } else {
                context.stdout.write(HelpFormatter.programHelp(program))
            }
            return ExitCode.success
        case .run(let parsed) where parsed.verb == Self.completionsVerb:
            guard let shell = parsed.positionals.first,
                let script = ShellCompletion.script(for: shell, program: program)
            else {
                return usageFailure(
                    UsageError("name a shell: \(ShellCompletion.shells.joined(separator: ", "))", verb: parsed.verb),
                    context: context)
            }
            context.stdout.write(script)
            return ExitCode.success
        case .run(let parsed) where parsed.verb == Self.manVerb:
            context.stdout.write(ManPage.render(program))
            return ExitCode.success
        case .run(let parsed):
            return dispatch(parsed, context)
        }
    }

    static let completionsVerb = "completions"
    static let manVerb = "man"

    /// `completions SHELL`: a completion script generated from the program's own spec.
    public static func completionsSpec(program: String) -> VerbSpec {
        VerbSpec(
            completionsVerb, summary: "print a shell completion script (bash, zsh or fish)",
            discussion: "Example: \(program) completions bash > /etc/bash_completion.d/\(program)",
            positionals: [PositionalSpec("SHELL", help: "bash, zsh or fish.")])
    }

    /// `man`: the man page (roff), generated from the program's own spec.
    public static func manSpec(program: String) -> VerbSpec {
        VerbSpec(
            manVerb, summary: "print the man page (roff): \(program) man > \(program).1",
            discussion: "View it with: \(program) man | man -l -")
    }

    /// Prints a usage error with a pointer to the right help page; returns the verb's usage
    /// exit code (``VerbSpec/usageExitCode``, normally ``ExitCode/usage``).
    public func usageFailure(_ error: UsageError, context: CommandContext) -> Int32 {
        let pointer = error.verb.map { "\(program.name) help \($0)" } ?? "\(program.name) --help"
        let advice =
            error.verb == nil && error.message.hasPrefix("unknown verb") ? "for the list of verbs" : "for usage"
        context.stderr.write("\(program.name): \(error.message)\nRun '\(pointer)' \(advice).\n")
        return error.verb.flatMap(program.verb(named:))?.usageExitCode ?? ExitCode.usage
    }

    /// Prints a configuration error (one line) and returns ``ExitCode/config``.
    public func configFailure(_ error: ConfigError, context: CommandContext) -> Int32 {
        context.stderr.write("\(program.name): \(error)\n")
        return ExitCode.config
    }
}
