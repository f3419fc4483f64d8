import AtelierDomain
import AtelierStorage
import AtelierTestSupport
import Foundation
import Synchronization
import Testing

/// `atelier backup`, `atelier restore` and the start's database checks, on real processes.
extension ProcessKillTests {
    /// Runs `atelier ARGUMENTS` to its end: its status and what it printed.
    func command(_ arguments: [String], data: String, environment: [String: String] = [:]) async throws -> (Int32, String) {
        let (process, output) = try AtelierProcess.launch(arguments, dataDirectory: data, environment: environment)
        let status = await AtelierProcess.exit(of: process)
        try await Task.sleep(for: .milliseconds(50))  // the last of the output
        return (status, output.text)
    }

    @Test(
        "a backup taken while orders are written holds every order acknowledged before it and is whole; restore refuses a running database and puts it back"
    )
    func backupUnderLoadAndRestore() async throws {
        let files = FileManager.default
        let root = files.temporaryDirectory.appendingPathComponent("atelier-backup-\(UUID().uuidString)").path
        defer { try? files.removeItem(atPath: root) }
        let data = root + "/data", backups = root + "/backups", file = backups + "/atelier-1.sqlite"
        try files.createDirectory(atPath: backups, withIntermediateDirectories: true)
        let server = try await AtelierProcess.start(dataDirectory: data, environment: [:])
        defer { server.terminate() }
        let (_, session) = try await server.call(
            "POST", "/api/auth/sign-in", json: ["email": "customer@atelier.test", "password": "atelier-demo"])
        let token = try #require(session["token"] as? String)

        // Orders written as fast as one client can, each id kept once the server has answered it.
        let acknowledged = Mutex<[String]>([]), failure = Mutex<String?>(nil)
        let writing = Task {
            while !Task.isCancelled {
                do {
                    let (status, created) = try await server.call(
                        "POST", "/api/shop/orders", token: token, json: ["material": "gold-585", "catalogItem": "classic-band"])
                    guard status == 201, let id = created["id"] as? String else {
                        throw HarnessError("an order was answered \(status): \(created)")
                    }
                    acknowledged.withLock { $0.append(id) }
                    // Withdrawn at once: an account may have only so many open orders.
                    let (cancelled, _) = try await server.call(
                        "POST", "/api/shop/orders/\(id)/cancel", token: token, json: ["reason": "a backup drill"])
                    guard cancelled == 200 else { throw HarnessError("a cancellation was answered \(cancelled)") }
                } catch {
                    if !Task.isCancelled { failure.withLock { $0 = "\(error)" } }
                    return
                }
            }
        }
        defer { writing.cancel() }
        try await waitFor(seconds: 30) {
            if let failed = failure.withLock({ $0 }) { throw HarnessError("the writer stopped: \(failed)") }
            return acknowledged.withLock { $0.count >= 20 } ? true : nil
        }
        let before = Set(acknowledged.withLock { $0 })
        let (status, printed) = try await command(["backup", file], data: data)
        let until = Set(acknowledged.withLock { $0 })
        #expect(status == 0, "\(printed)")
        #expect(printed.contains("Backed up") && printed.contains("orders"), "\(printed)")
        try await waitFor(seconds: 30) {
            if let failed = failure.withLock({ $0 }) { throw HarnessError("the writer stopped: \(failed)") }
            return acknowledged.withLock { $0.count } >= until.count + 10 ? true : nil
        }
        writing.cancel()
        _ = await writing.result
        let all = Set(acknowledged.withLock { $0 })
        #expect(try files.contentsOfDirectory(atPath: backups) == ["atelier-1.sqlite"], "one whole file, no partial or -wal beside it")

        // A backup never overwrites; a restore never touches a database in use.
        let (again, refusal) = try await command(["backup", file], data: data)
        #expect(again != 0 && refusal.contains("already exists"), "\(refusal)")
        let (busy, inUse) = try await command(["restore", file], data: data)
        #expect(busy != 0 && inUse.contains("in use by a running Atelier"), "\(inUse)")
        do {
            let live = try SQLiteStore(path: data + "/atelier.sqlite")  // closed at the end of this block
            for id in all.prefix(50) { #expect(try await live.reader.order(id: id) != nil, "the refused restore changed nothing") }
        }
        #expect(await server.stop() == 0)

        let (restored, said) = try await command(["restore", file], data: data)
        #expect(restored == 0, "\(said)")
        #expect(said.contains("kept at"), "\(said)")
        let store = try SQLiteStore(path: data + "/atelier.sqlite")
        var present: Set<String> = []
        for id in all where try await store.reader.order(id: id) != nil { present.insert(id) }
        #expect(before.isSubset(of: present), "every order acknowledged before the backup began is in it")
        #expect(present.isSubset(of: until), "nothing acknowledged after the backup ended is in it")
        #expect(present.count < all.count, "the orders written after the backup are not")
        print("backup under load: \(before.count) orders acknowledged before it began, \(present.count) in it, \(all.count) in all")

        // The restored database serves, and the one it replaced was kept whole.
        let restarted = try await AtelierProcess.start(dataDirectory: data, environment: [:])
        defer { restarted.terminate() }
        #expect(try await restarted.call("GET", "/health/ready").0 == 200)
        let kept = try #require(
            try files.contentsOfDirectory(atPath: data).first {
                $0.hasPrefix("atelier.sqlite.before-restore-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") && !$0.hasSuffix(".lock")
            })
        let previous = try SQLiteStore(path: data + "/" + kept)
        for id in all.subtracting(present).prefix(20) { #expect(try await previous.reader.order(id: id) != nil) }
        #expect(await restarted.stop() == 0)

        // What cannot be a backup is refused with its reason, and the database stays.
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: root + "/junk.sqlite"))
        let (junk, junkSaid) = try await command(["restore", root + "/junk.sqlite"], data: data)
        #expect(junk != 0 && junkSaid.contains("Cannot read the backup"), "\(junkSaid)")
        let (missing, missingSaid) = try await command(["restore", root + "/none.sqlite"], data: data)
        #expect(missing != 0 && missingSaid.contains("There is no backup at"), "\(missingSaid)")
        let (nowhere, nowhereSaid) = try await command(["backup", root + "/no/such/folder/b.sqlite"], data: data)
        #expect(nowhere != 0 && nowhereSaid.contains("missing or not writable"), "\(nowhereSaid)")
        for id in present.prefix(20) { #expect(try await store.reader.order(id: id) != nil) }
    }

    @Test(
        "the start refuses a PostgreSQL server whose certificate its CA did not sign, at once and saying so",
        .enabled(if: TestPostgres.url != nil && ProcessInfo.processInfo.environment["ATELIER_TEST_POSTGRES_TLS"] != nil))
    func untrustedCertificate() async throws {
        let folder = ProcessInfo.processInfo.environment["ATELIER_TEST_POSTGRES_TLS"]!
        var components = URLComponents(string: TestPostgres.url!)!
        components.host = "localhost"
        components.path = "/" + (try await TestPostgres.shared.freshEmptyDatabase())
        components.percentEncodedQuery = "sslmode=verify-full&sslrootcert=\(folder)/other-ca.crt"
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let started = ContinuousClock.now
        let (status, printed) = try await command(["migrate"], data: data, environment: ["ATELIER_DATABASE_URL": components.string!])
        #expect(status != 0)
        #expect(printed.contains("the server's certificate was not accepted"), "\(printed)")
        #expect(ContinuousClock.now - started < .seconds(15), "not waited for as a server that is away")
        components.percentEncodedQuery = "sslmode=verify-full&sslrootcert=\(folder)/ca.crt"
        let (trusted, said) = try await command(["migrate"], data: data, environment: ["ATELIER_DATABASE_URL": components.string!])
        #expect(trusted == 0, "\(said)")
    }
}
