import FleetControl
import FleetCore
import Glibc

/// `fleetctl init-inventory [PATH] [--print]`: writes the commented example inventory that ships
/// inside fleetctl, so an operator with only the binary has something to edit.
enum InitInventoryCommand {
    static let spec = VerbSpec(
        "init-inventory", summary: "write the commented example inventory to start from (never overwrites)",
        discussion: """
            Writes the example inventory built into fleetctl (every key, commented) to PATH, else
            to --inventory / $FLEETCTL_INVENTORY, else ./inventory.toml. An existing file is left
            alone. With --print the example goes to stdout and nothing is written.
            """,
        options: [OptionSpec("print", help: "Print the example on stdout instead of writing a file.")],
        positionals: [PositionalSpec("PATH", help: "Where to write it (default: ./inventory.toml).", optional: true)],
        exitCodes: [
            (ExitCode.success, "written (or printed)"),
            (ExitCode.failure, "the file already exists, or cannot be created"),
            (ExitCode.usage, "the command line is wrong"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        if parsed.has("print") {
            context.stdout.write(ExampleInventory.text)
            return ExitCode.success
        }
        let shown = parsed.positionals.first ?? FleetctlProgram.inventoryPath(parsed, context: context)
        let path = ConfigPaths.absolute(shown, against: context.currentDirectory)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason =
                errno == EEXIST
                ? "it already exists and is left as it is; edit it, or pass another PATH"
                : "cannot create it: \(String(cString: strerror(errno)))"
            context.stderr.write("fleetctl: \(shown): \(reason)\n")
            return ExitCode.failure
        }
        defer { close(descriptor) }
        let bytes = Array(ExampleInventory.text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            context.stderr.write("fleetctl: \(shown): cannot write it: \(String(cString: strerror(errno)))\n")
            unlink(path)
            return ExitCode.failure
        }
        context.stderr.write(
            "fleetctl: wrote the example inventory to \(shown); replace its example hosts with yours, then run fleetctl check\n"
        )
        return ExitCode.success
    }
}
