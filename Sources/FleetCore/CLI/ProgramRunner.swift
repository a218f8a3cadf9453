/// The common front of both programs: parse argv, answer `--version` and help, turn usage and
/// configuration errors into one line on stderr and the documented exit code, dispatch the rest.
public struct ProgramRunner: Sendable {
    public var program: ProgramSpec

    public init(program: ProgramSpec) {
        self.program = program
    }

    /// Runs `arguments` (argv without the program name); returns the exit code.
    public func run(_ arguments: [String], context: CommandContext, dispatch: (ParsedArguments, CommandContext) -> Int32) -> Int32 {
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
        case .run(let parsed):
            return dispatch(parsed, context)
        }
    }

    /// Prints a usage error with a pointer to the right help page; returns the verb's usage
    /// exit code (``VerbSpec/usageExitCode``, normally ``ExitCode/usage``).
    public func usageFailure(_ error: UsageError, context: CommandContext) -> Int32 {
        let pointer = error.verb.map { "\(program.name) help \($0)" } ?? "\(program.name) --help"
        context.stderr.write("\(program.name): \(error.message)\nRun '\(pointer)' for usage.\n")
        return error.verb.flatMap(program.verb(named:))?.usageExitCode ?? ExitCode.usage
    }

    /// Prints a configuration error (one line) and returns ``ExitCode/config``.
    public func configFailure(_ error: ConfigError, context: CommandContext) -> Int32 {
        context.stderr.write("\(program.name): \(error)\n")
        return ExitCode.config
    }
}
