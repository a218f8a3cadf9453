import FleetCore
import Monitoring
import SSHTransport

/// `fleetctl check`: validates the inventory and prints it as fleetctl understands it.
enum CheckCommand {
    static let spec = VerbSpec(
        "check", summary: "validate the inventory and each host's ssh hygiene; print every host's effective settings",
        discussion: """
            Reads the inventory as every other verb would: [defaults], then each group the host
            belongs to (in the order the host lists them), then the host's own table. Prints the
            result, or one line naming file, line and key of the first problem. Then asks
            `ssh -G` (no connection is made) how ssh would reach each host and reports weak
            settings: host keys not pinned, a shared default identity, IdentitiesOnly off.
            """,
        options: [OptionSpec("no-ssh", help: "Skip the ssh hygiene check.")],
        exitCodes: [
            (ExitCode.success, "the inventory is valid (ssh warnings may be printed)"),
            (
                ExitCode.failure,
                "the inventory is valid but some host's ssh config is critically weak (StrictHostKeyChecking no, or known_hosts discarded)"
            ),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let inventory = FleetctlProgram.loadInventory(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        var findings: [(host: String, findings: [SSHHygieneFinding], error: String?)] = []
        if !parsed.has("no-ssh") {
            let hygiene = SSHHygiene(environment: context.environment)
            for host in inventory.hosts {
                do {
                    findings.append((host.name, try hygiene.check(try RemoteHost(host, controlDirectory: nil)), nil))
                } catch {
                    findings.append((host.name, [], error.message))
                }
            }
        }
        if parsed.has("json") {
            var document = inventory.json()
            if case .object(var root) = document, !parsed.has("no-ssh") {
                var report = JSONObject()
                for entry in findings {
                    report[entry.host] = .object([
                        "error": entry.error.map(JSONValue.string) ?? .null,
                        "findings": .array(
                            entry.findings.map { finding in
                                .object([
                                    "severity": .string(finding.severity.rawValue), "code": .string(finding.code),
                                    "message": .string(finding.message),
                                    "config_line": .string(finding.configLine), "location": .string(finding.location),
                                ])
                            }),
                    ])
                }
                root["ssh_hygiene"] = .object(report)
                document = .object(root)
            }
            context.stdout.write(JSONLines.line(document))
        } else {
            context.stdout.write(inventory.text())
            if !parsed.has("no-ssh") {
                context.stdout.write("\nssh hygiene (ssh -G):\n")
                for entry in findings {
                    if let error = entry.error {
                        context.stdout.write("  [WARN] \(error)\n")
                    } else if entry.findings.isEmpty {
                        context.stdout.write("  \(entry.host): ok\n")
                    }
                    for finding in entry.findings { context.stdout.write("  \(finding.text)\n") }
                }
            }
        }
        let critical = findings.contains { $0.findings.contains { $0.severity == .critical } }
        return critical ? ExitCode.failure : ExitCode.success
    }
}
