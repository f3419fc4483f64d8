import AtelierTelemetry
import AtelierTestSupport
import Foundation
import Logging
import Testing

@Suite("Logs", .serialized)
struct LogSecretsTests {
    @Test("at the most verbose level, logs are JSON lines and never hold a password, a token or a secret")
    func noSecretsInLogs() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-logs-\(UUID().uuidString)").path
        let carrierSecret = "carrier-secret-\(UUID().uuidString)"
        let password = "password-\(UUID().uuidString)"
        let server = try await AtelierProcess.start(
            dataDirectory: data, environment: ["ATELIER_LOG_LEVEL": "trace", "ATELIER_CARRIER_SECRET": carrierSecret])
        defer { server.terminate() }

        #expect(
            try await server.call("POST", "/api/auth/sign-up", json: ["email": "logs@example.com", "name": "Lou", "password": password]).0
                == 201)
        let (_, session) = try await server.call("POST", "/api/auth/sign-in", json: ["email": "logs@example.com", "password": password])
        let token = try #require(session["token"] as? String)
        #expect(
            try await server.call("POST", "/api/auth/sign-in", json: ["email": "logs@example.com", "password": password + "x"]).0 == 401)
        let (_, created) = try await server.call(
            "POST", "/api/shop/orders", token: token, json: ["material": "gold-585", "catalogItem": "classic-band"])
        let orderID = try #require(created["id"] as? String)
        #expect(try await server.call("GET", "/api/shop/orders/\(orderID)", token: token).0 == 200)
        #expect(try await server.call("GET", "/api/shop/orders", token: token + "tampered").0 == 401)
        #expect(
            try await server.call(
                "POST", "/api/carrier/deliveries", json: ["trackingNumber": "none"], headers: ["X-Carrier-Secret": carrierSecret]
            ).0 == 404)
        #expect(
            try await server.call(
                "POST", "/api/carrier/deliveries", json: ["trackingNumber": "none"], headers: ["X-Carrier-Secret": "wrong-\(carrierSecret)"]
            ).0 == 401)
        // A partner's API key: made by the CLI, used on the partner port, logged only as the partner's id.
        let (cli, cliOutput) = try AtelierProcess.launch(
            ["partner", "create", "--name", "Log Shop", "--email", "logs@partner.test"], dataDirectory: data, environment: [:])
        _ = await AtelierProcess.exit(of: cli)
        try await Task.sleep(for: .milliseconds(100))
        let partnerKey = try #require(
            cliOutput.text.range(of: #"atk_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(cliOutput.text[$0]) })
        let partnerPort = try await server.partnerPort()
        #expect(try await server.call("GET", "/v1/orders", token: partnerKey, port: partnerPort).0 == 200)
        #expect(try await server.call("GET", "/v1/orders", token: partnerKey + "x", port: partnerPort).0 == 401)
        try await Task.sleep(for: .milliseconds(300))

        let logs = server.logs
        #expect(logs.contains(#""partner.id":"#), "partner requests are logged with the partner's id")
        for secret in [password, token, carrierSecret, "atelier-demo", partnerKey, String(partnerKey.dropFirst(4))] {
            #expect(!logs.contains(secret), "a secret reached the logs")
        }
        let lines = logs.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count > 5)
        let requests = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            .filter { $0["message"] == "request" }
        let orderLine = try #require(requests.first { $0["http.route"] == "/api/shop/orders/{id}" })
        #expect(orderLine["order.id"] == orderID)
        #expect(orderLine["surface"] == "shop")
        #expect(orderLine["actor"]?.hasPrefix("customer:") == true)
        #expect(orderLine["time"] != nil && orderLine["level"] == "info")
    }

    @Test("the password in a PostgreSQL URL is never logged, even when the database cannot be reached")
    func databasePasswordNotLogged() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-logs-\(UUID().uuidString)").path
        let password = "db-password-\(UUID().uuidString)"
        let (process, output) = try AtelierProcess.launch(
            ["migrate"], dataDirectory: data,
            environment: [
                "ATELIER_LOG_LEVEL": "trace", "ATELIER_DB_TIMEOUT_SECONDS": "0.5",
                "ATELIER_DATABASE_URL": "postgres://atelier:\(password)@127.0.0.1:1/atelier",
            ])
        // It waits for the database a while; three seconds of its logs are enough to judge.
        try await Task.sleep(for: .seconds(3))
        process.terminate()
        _ = await AtelierProcess.exit(of: process)

        let logs = output.text
        #expect(logs.contains("waiting for PostgreSQL"))
        #expect(!logs.contains(password))
    }
}

@Suite("Log lines")
struct LogLineTests {
    @Test("a log line is one JSON object, whatever the message and metadata hold")
    func escaping() throws {
        let lines = OutputBuffer()
        var logger = Logger(label: "t") { label in
            JSONLogHandler(label: label, level: .info, metadataProvider: nil, output: { lines.append($0 + "\n") })
        }
        logger[metadataKey: "path"] = "/v1/orders"
        logger.info("quote \" backslash \\ newline \n tab \t bell \u{7} ünïcödé", metadata: ["zeta": "1", "alpha": "2"])
        let line = lines.text.trimmingCharacters(in: .newlines)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "quote \" backslash \\ newline \n tab \t bell \u{7} ünïcödé")
        #expect(object["path"] == "/v1/orders")
        #expect(object["level"] == "info" && object["label"] == "t")
        #expect(line.firstRange(of: "\"alpha\"")!.lowerBound < line.firstRange(of: "\"zeta\"")!.lowerBound)
    }

    @Test("the event's metadata wins over the logger's and the provider's; time, level, message and label over all")
    func precedence() throws {
        let lines = OutputBuffer()
        let provider = Logger.MetadataProvider { ["trace.id": "from-provider", "shared": "provider", "request": "provider"] }
        var logger = Logger(label: "t") { label in
            JSONLogHandler(label: label, level: .info, metadataProvider: provider, output: { lines.append($0 + "\n") })
        }
        logger[metadataKey: "shared"] = "logger"
        logger[metadataKey: "level"] = "forged"
        logger.info("hello", metadata: ["shared": "event", "time": "forged", "count": .stringConvertible(42)])
        let line = lines.text.trimmingCharacters(in: .newlines)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])

        #expect(object["shared"] == "event")
        #expect(object["trace.id"] == "from-provider" && object["request"] == "provider")
        #expect(object["count"] == "42")
        #expect(object["level"] == "info" && object["message"] == "hello" && object["label"] == "t")
        let time = try #require(object["time"])
        #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
        #expect(abs(try Date(time, strategy: .iso8601).timeIntervalSinceNow) < 60)
        #expect(object.count == 8)
    }
}
