#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// fleet-bench: measured, repeatable performance figures for docs/performance.md.
/// Usage: swift build -c release && swift run -c release fleet-bench [SCENARIO...] [--rounds N]
let arguments = Array(CommandLine.arguments.dropFirst())
let scenarios = ["serve-overhead", "fleet-status", "detectors"]
if arguments.contains("--help") || arguments.contains("-h") {
    Bench.say("usage: fleet-bench [\(scenarios.joined(separator: "|"))]... [--rounds N] [--per-detector]\nRuns every scenario when none is named.")
    exit(0)
}
var rounds = 20
if let index = arguments.firstIndex(of: "--rounds"), index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 1 {
    rounds = value
}
let chosen = arguments.filter { scenarios.contains($0) }
for scenario in chosen.isEmpty ? scenarios : chosen {
    switch scenario {
    case "serve-overhead": ServeOverheadScenario.run(rounds: rounds)
    case "fleet-status": FleetStatusScenario.run(rounds: rounds)
    case "detectors": DetectorsScenario.run(rounds: rounds)
    default: break
    }
}
