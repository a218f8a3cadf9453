import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// fleet-bench: measured, repeatable performance figures for docs/performance.md.
/// Usage: swift build -c release && swift run -c release fleet-bench [SCENARIO...] [--rounds N] [--runs N]
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "measure-child" { PeekScenario.measureChild(Array(arguments.dropFirst())) }
let scenarios = [
    "serve-overhead", "peek", "ssh-poll", "fleet-status", "detectors", "memory-sampler", "dashboard", "fleet-scale",
]
/// Run only when named: a soak takes the better part of an hour.
let onDemand = ["soak"]
if arguments.contains("--help") || arguments.contains("-h") {
    Bench.say(
        "usage: fleet-bench [\((scenarios + onDemand).joined(separator: "|"))]... [--rounds N] [--runs N] [--per-detector] [--engine-only]\n       fleet-bench soak [--rounds N] [--every N] [--cycles N] [--hosts N] [--parts fast,1mib,watch] [--plot PATH]\nRuns every scenario but soak when none is named."
    )
    exit(0)
}
var rounds = 20
if let index = arguments.firstIndex(of: "--rounds"), index + 1 < arguments.count, let value = Int(arguments[index + 1]),
    value > 1
{
    rounds = value
}
var runs = 30
if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let value = Int(arguments[index + 1]),
    value > 0
{
    runs = value
}
if arguments.first == "soak" {
    SoakScenario.run(arguments: arguments)
    exit(0)
}
let chosen = arguments.filter { scenarios.contains($0) }
for scenario in chosen.isEmpty ? scenarios : chosen {
    switch scenario {
    case "serve-overhead": ServeOverheadScenario.run(rounds: rounds)
    case "peek": PeekScenario.run(runs: runs)
    case "ssh-poll": SSHPollScenario.run(runs: runs)
    case "fleet-status": FleetStatusScenario.run(rounds: rounds)
    case "detectors": DetectorsScenario.run(rounds: rounds)
    case "memory-sampler": MemorySamplerScenario.run(runs: runs)
    case "dashboard": DashboardScenario.run(rounds: rounds)
    case "fleet-scale": FleetScaleScenario.run(arguments: arguments)
    default: break
    }
}
