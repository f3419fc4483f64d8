import ArgumentParser
import AtelierDomain
import AtelierServices
import AtelierStorage
import Foundation

/// `atelier jobs`: the durable queue's dead letters and counts.
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the job queue and re-drive dead letters.", subcommands: [Status.self, Dead.self, Redrive.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs per queue and state.")
        func run() async throws {
            let environment = try await Environment.open(models: false)
            let counts = try await environment.useCases.admin.jobCounts()
            if counts.isEmpty { print("The queue is empty.") }
            for count in counts {
                print(
                    "\(count.queue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(count.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(count.count)"
                )
            }
        }
    }

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead-lettered jobs, newest first.")
        func run() async throws {
            let environment = try await Environment.open(models: false)
            let page = try await environment.useCases.admin.deadLetters(page: PageRequest(limit: 200))
            if page.items.isEmpty { print("No dead letters.") }
            for job in page.items {
                print("\(job.id)  \(job.kind)  attempts \(job.attempts)  \(job.payload)\n    \(job.lastError ?? "")")
            }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a dead-lettered job back in its queue.")
        @Argument(help: "The job id, as listed by `atelier jobs dead`.")
        var id: Int64
        func run() async throws {
            let environment = try await Environment.open(models: false)
            do {
                try await environment.useCases.admin.redrive(jobID: id)
            } catch {
                throw CommandFailure("\(error)")
            }
            print("Job \(id) is back in its queue.")
        }
    }
}
