import AtelierDomain
import AtelierStorage
import AtelierTestSupport
import Foundation
import Testing

/// The behaviour every storage adapter must have.
@Suite("Store conformance")
struct StoreConformanceTests {
    @Test("an order and its history round-trip", arguments: Engine.allCases)
    func orderRoundTrip(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        var (order, created) = try Order.start(
            id: "o-1", customer: customer, materialCode: "gold-585", finishCodes: ["polish", "engraving"],
            traceContext: nil, at: Date(timeIntervalSince1970: 1_800_000_000))
        let attached = try order.attachModel(
            hash: "h1", filename: "ring.stl", by: customer, at: Date(timeIntervalSince1970: 1_800_000_001))[0]
        try await store.write { [order, created] tx in
            try await tx.insert(order: order)
            try await tx.append(history: [created, attached])
        }

        let loaded = try await store.reader.order(id: "o-1")
        let history = try await store.reader.history(orderID: "o-1")

        #expect(loaded == order)
        #expect(history == [created, attached])
        #expect(try await store.reader.order(id: "missing") == nil)
    }

    @Test("an order's snapshot holds its model, quote, history and notes as the single reads do", arguments: Engine.allCases)
    func orderSnapshot(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let metrics = ModelMetrics(volumeMM3: 250, surfaceAreaMM2: 400, triangles: 12, shells: 1)
        let info = ModelInfo(
            hash: "h1", filename: "ring.stl", format: "stl-binary", sizeBytes: 684, metrics: metrics, vertices: 8,
            boundingBoxMinMM: [0, 0, 0], boundingBoxMaxMM: [10, 10, 2], watertight: true, boundaryEdges: 0, nonManifoldEdges: 0)
        let prices = PriceList(
            version: 1, currency: "EUR",
            materials: [
                Material(code: "gold-585", name: "Gold 585", densityGPerCM3: 13.0, pricePerGramMinor: 4_000, castingLossPercent: 5)
            ],
            finishes: [Finish(code: "polish", name: "Polish", priceMinor: 1_500)],
            labour: LabourRates(
                baseMinor: 4_000, perSquareCMMinor: 100, perExtraShellMinor: 1_000, perDetailDoublingMinor: 500, markupPercent: 10))
        var quote = try QuoteCalculator.quote(metrics: metrics, materialCode: "gold-585", finishCodes: ["polish"], priceList: prices)
        quote.casting = CastingReport(
            rulesVersion: 1, materialCode: "gold-585", castable: false, thinnestMM: 0.4, requiredWallMM: 1.2, requiredDetailMM: 0.8,
            problems: [CastingProblem(rule: .wall, thinnestMM: 0.4, requiredMM: 1.2, areaMM2: 30, at: [1, 2, 3])],
            unmeasuredTriangles: 0, ring: nil)
        var (order, created) = try Order.start(
            id: "o-1", customer: customer, materialCode: "gold-585", finishCodes: ["polish"], traceContext: nil, at: at)
        let attached = try order.attachModel(hash: "h1", filename: "ring.stl", by: customer, at: at.addingTimeInterval(1))[0]
        let seller = Principal(userID: "u-seller", role: .seller, name: "Sam")
        let note = try OrderNote(orderID: "o-1", author: seller, kind: .note, body: "call first", createdAt: at.addingTimeInterval(2))
        try await store.write { [order, created, quote] tx in
            try await tx.insert(model: info, at: at)
            try await tx.insert(order: order)
            try await tx.append(history: [created, attached])
            try await tx.insert(quote: quote, orderID: "o-1", at: at)
            try await tx.insert(note: note)
        }

        let staff = try #require(try await store.reader.orderSnapshot(id: "o-1", withNotes: true))
        let customers = try #require(try await store.reader.orderSnapshot(id: "o-1", withNotes: false))

        #expect(staff.order == order)
        #expect(staff.model == info)
        #expect(staff.quote == quote)
        #expect(staff.history == [created, attached])
        #expect(staff.notes == [note])
        #expect(customers.notes.isEmpty, "notes only when asked for")
        #expect(customers.history == staff.history)
        #expect(try await store.reader.orderSnapshot(id: "missing", withNotes: true) == nil)
        // Inside a transaction it reads what the transaction sees.
        let inside = try await store.write { tx in try await tx.orderSnapshot(id: "o-1", withNotes: true)?.history.count }
        #expect(inside == 2)
    }

    @Test(
        "casting rules: version 1 is the published figures, a saved version is the newest; lists tell a model that cannot be cast",
        arguments: Engine.allCases)
    func castingRules(engine: Engine) async throws {
        let store = try await engine.makeStore()
        #expect(try await store.reader.castingRules() == .standard, "the schema's version 1 is the code's standard")
        var next = CastingRules.standard
        next.version = 2
        next.rules[0].minimumWallMM = 0.7
        try await store.write { [next] tx in try await tx.save(castingRules: next) }
        #expect(try await store.reader.castingRules() == next)
        let again = await #expect(throws: (any Error).self) { try await store.write { [next] tx in try await tx.save(castingRules: next) } }
        #expect(again != nil, "a version is saved once")

        try await insertCustomer(store)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        for (id, castable) in [("o-cast", true), ("o-thin", false), ("o-unchecked", nil)] as [(String, Bool?)] {
            let (order, _) = try Order.start(
                id: id, customer: customer, materialCode: "gold-585", finishCodes: [], traceContext: nil, at: at)
            var quote = Quote(
                materialCode: "gold-585", finishCodes: [], metalWeightGrams: 1, lines: [], total: Money(minorUnits: 100, currency: "EUR"),
                priceListVersion: 1)
            quote.casting = castable.map {
                CastingReport(
                    rulesVersion: 2, materialCode: "gold-585", castable: $0, thinnestMM: 1, requiredWallMM: 1.2, requiredDetailMM: 0.8,
                    problems: [], unmeasuredTriangles: 0, ring: nil)
            }
            try await store.write { [order, quote] tx in
                try await tx.insert(order: order)
                try await tx.insert(quote: quote, orderID: id, at: at)
            }
        }
        let listed = try await store.reader.orderSummaries(OrderFilter(), page: PageRequest(limit: 10)).items
        #expect(
            Dictionary(uniqueKeysWithValues: listed.map { ($0.order.id, $0.castable) }) == [
                "o-cast": true, "o-thin": false, "o-unchecked": nil,
            ])
    }

    @Test("a failed transaction leaves nothing behind", arguments: Engine.allCases)
    func rollback(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        struct Boom: Error {}

        await #expect(throws: Boom.self) {
            try await store.write { tx in
                try await tx.insert(
                    order: Order(id: "o-1", customerID: customer.userID, materialCode: "m", finishCodes: [], createdAt: Date()))
                try await tx.enqueue(NewJob(queue: "pricing", kind: "k", payload: "{}", runAt: Date(), maxAttempts: 3))
                throw Boom()
            }
        }

        #expect(try await store.reader.order(id: "o-1") == nil)
        #expect(try await store.reader.jobCounts().isEmpty)
        #expect(try await store.reader.statusCounts()[.initiated] == 0)
        // and the store still works afterwards
        try await insertOrders(store, count: 1)
        #expect(try await store.reader.statusCounts()[.initiated] == 1)
    }

    @Test("counts per status follow every change", arguments: Engine.allCases)
    func statusCounts(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        let orders = try await insertOrders(store, count: 5)
        try await store.write { tx in
            for order in orders.prefix(2) {
                try await tx.update(order: order.stored(status: .fileUploaded), previousStatus: .initiated)
            }
        }

        let counts = try await store.reader.statusCounts()

        #expect(counts[.initiated] == 3)
        #expect(counts[.fileUploaded] == 2)
        #expect(counts.count == OrderStatus.allCases.count)
        #expect(counts[.closed] == 0)
    }

    @Test(
        "an order saved with its history: the row, the counts and every entry, or nothing for a missing order", arguments: Engine.allCases)
    func updateWithHistory(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        let order = try #require(try await insertOrders(store, count: 2).first)
        let at = Date(timeIntervalSince1970: 1_800_000_100)
        let entries = [
            HistoryEntry(orderID: order.id, from: .initiated, to: .fileUploaded, actor: customer, at: at, note: "ring.stl"),
            HistoryEntry(orderID: order.id, from: .fileUploaded, to: .submitted, actor: customer, at: at.addingTimeInterval(1)),
        ]
        try await store.write { tx in
            try await tx.update(order: order.stored(status: .submitted), previousStatus: .initiated, appending: entries)
        }
        #expect(try await store.reader.order(id: order.id)?.status == .submitted)
        #expect(try await store.reader.history(orderID: order.id) == entries)
        let counts = try await store.reader.statusCounts()
        #expect(counts[.initiated] == 1 && counts[.submitted] == 1 && counts[.fileUploaded] == 0)

        // Without a change of status, only the row and the entry; for a missing order, nothing at all.
        let note = HistoryEntry(orderID: order.id, from: .submitted, to: .submitted, actor: customer, at: at.addingTimeInterval(2))
        try await store.write { tx in
            try await tx.update(order: order.stored(status: .submitted), previousStatus: .submitted, appending: [note])
        }
        #expect(try await store.reader.history(orderID: order.id).count == 3)
        #expect(try await store.reader.statusCounts()[.submitted] == 1)
        let missing = Order(id: "o-missing", customerID: customer.userID, materialCode: "gold-585", finishCodes: [], createdAt: at)
        await #expect(throws: StorageError.self) {
            try await store.write { tx in
                try await tx.update(
                    order: missing.stored(status: .submitted), previousStatus: .initiated,
                    appending: [HistoryEntry(orderID: "o-missing", from: .initiated, to: .submitted, actor: customer, at: at)])
            }
        }
        #expect(try await store.reader.history(orderID: "o-missing").isEmpty)
        #expect(try await store.reader.statusCounts()[.submitted] == 1)
    }

    @Test("an order's delivery is placed and kept for the customer's next checkout in one change", arguments: Engine.allCases)
    func deliveryPlacedAndSaved(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        let order = try #require(try await insertOrders(store, count: 1).first)
        let first = try DeliveryDetails(
            recipient: "Clara", phone: "+79161234567", country: "RU", postalCode: "101000", city: "Moscow", street: "Tverskaya 7")
        let second = try DeliveryDetails(
            recipient: "Clara", phone: "+79161234567", country: "RU", postalCode: "190000", city: "Saint Petersburg", street: "Nevsky 1")
        let at = Date(timeIntervalSince1970: 1_800_000_100)
        try await store.write { tx in try await tx.setDelivery(first, orderID: order.id, savingFor: customer.userID, at: at) }
        try await store.write { tx in
            try await tx.setDelivery(second, orderID: order.id, savingFor: customer.userID, at: at.addingTimeInterval(60))
        }
        #expect(try await store.reader.orderSnapshot(id: order.id, withNotes: false)?.delivery == second)
        #expect(try await store.reader.savedDeliveries(userID: customer.userID).map(\.city) == ["Saint Petersburg", "Moscow"])
    }

    @Test("cursor pages are disjoint, complete and newest first", arguments: Engine.allCases)
    func cursorPagination(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        try await insertOrders(store, count: 23)

        var seen: [String] = []
        var cursor: Cursor?
        var pages = 0
        repeat {
            let page = try await store.reader.orders(OrderFilter(status: .initiated), page: PageRequest(cursor: cursor, limit: 5))
            seen += page.items.map(\.id)
            cursor = page.next
            pages += 1
        } while cursor != nil

        #expect(pages == 5)
        #expect(seen == (0..<23).reversed().map { String(format: "o-%04d", $0) })
        let token = try #require(try await store.reader.orders(OrderFilter(), page: PageRequest(limit: 5)).next).token
        #expect(Cursor(token: token) != nil)
        #expect(Cursor(token: "not a cursor") == nil)
    }

    @Test("search finds orders by id prefix, tracking number, customer, file name and reference", arguments: Engine.allCases)
    func search(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        var orders = try await insertOrders(store, count: 3)
        orders[1] = orders[1].stored(trackingNumber: "TRK-42")
        try await store.write { [orders] tx in try await tx.update(order: orders[1], previousStatus: .initiated) }

        #expect(try await store.reader.orders(OrderFilter(search: "o-0002"), page: PageRequest()).items.map(\.id) == ["o-0002"])
        #expect(try await store.reader.orders(OrderFilter(search: "TRK-42"), page: PageRequest()).items.map(\.id) == ["o-0001"])
        #expect(try await store.reader.orders(OrderFilter(search: "clara@"), page: PageRequest()).items.count == 3)
        #expect(try await store.reader.orders(OrderFilter(search: "%"), page: PageRequest()).items.isEmpty)

        // The sellers' list: a part of a file name or a partner's reference finds the order, which
        // comes with its customer and (once priced) its total.
        orders[2] = orders[2].stored(modelFilename: "Engagement-Ring.stl", reference: "PO-77")
        try await store.write { [orders] tx in try await tx.update(order: orders[2], previousStatus: .initiated) }
        for search in ["ring.st", "po-7"] {
            let found = try await store.reader.orderSummaries(OrderFilter(search: search), page: PageRequest()).items
            #expect(found.map(\.order.id) == ["o-0002"], "\(search)")
            #expect(found.first?.customerEmail == "clara@example.com" && found.first?.total == nil)
        }
    }

    @Test("a tracking number belongs to one order only", arguments: Engine.allCases)
    func uniqueTracking(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        var orders = try await insertOrders(store, count: 2)
        orders[0] = orders[0].stored(trackingNumber: "TRK-1")
        orders[1] = orders[1].stored(trackingNumber: "TRK-1")
        try await store.write { [orders] tx in try await tx.update(order: orders[0], previousStatus: .initiated) }

        await #expect(throws: StorageError.self) {
            try await store.write { [orders] tx in try await tx.update(order: orders[1], previousStatus: .initiated) }
        }
        #expect(try await store.reader.order(trackingNumber: "TRK-1")?.id == "o-0000")
    }

    @Test("the statements a piece of work sends are counted: one per read, two more for a transaction", arguments: Engine.allCases)
    func databaseCalls(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        let calls = DatabaseCalls()
        try await DatabaseCalls.$current.withValue(calls) {
            _ = try await store.reader.order(id: "none")
            #expect(calls.value == 1)
            try await store.write { tx in
                _ = try await tx.order(id: "none")
                _ = try await tx.order(id: "other")
            }
            #expect(calls.value == 1 + 2 + 2, "BEGIN, two statements, COMMIT")
        }
        _ = try await store.reader.order(id: "uncounted")
        #expect(calls.value == 5, "work outside the count is not counted")
    }

    @Test("a model is stored once by its hash", arguments: Engine.allCases)
    func modelDeduplication(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let info = ModelInfo(
            hash: "abc", filename: "ring.stl", format: "stl-binary", sizeBytes: 3,
            metrics: ModelMetrics(volumeMM3: 1, surfaceAreaMM2: 2, triangles: 3, shells: 1), vertices: 3,
            boundingBoxMinMM: [0, 0, 0], boundingBoxMaxMM: [1, 1, 1], watertight: true, boundaryEdges: 0, nonManifoldEdges: 0)

        try await store.write { tx in try await tx.insert(model: info, at: Date()) }
        var renamed = info
        renamed.filename = "copy.stl"
        try await store.write { [renamed] tx in try await tx.insert(model: renamed, at: Date()) }

        #expect(try await store.reader.model(hash: "abc") == info)
        // The model's bytes are in the model store; the database has no copy of them.
        #expect(try await store.reader.modelBytes(hash: "abc") == nil)
        #expect(try await store.reader.modelsKeptInDatabase(after: nil, limit: 10).isEmpty)
    }

    @Test("models kept in the database by earlier releases are listed in pages and removed one by one", arguments: Engine.allCases)
    func modelsKeptInDatabase(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let hashes = ["a1", "b2", "c3"]
        for (index, hash) in hashes.enumerated() {
            let info = ModelInfo(
                hash: hash, filename: "ring.stl", format: "stl-binary", sizeBytes: 3,
                metrics: ModelMetrics(volumeMM3: 1, surfaceAreaMM2: 2, triangles: 3, shells: 1), vertices: 3,
                boundingBoxMinMM: [0, 0, 0], boundingBoxMaxMM: [1, 1, 1], watertight: true, boundaryEdges: 0, nonManifoldEdges: 0)
            try await store.write { tx in
                try await tx.insert(model: info, at: Date())
                try await tx.keepInDatabase(modelBytes: [UInt8(index), 2, 3], hash: hash)
                // A second copy of the same model is a no-op.
                try await tx.keepInDatabase(modelBytes: [9, 9, 9], hash: hash)
            }
        }
        #expect(try await store.reader.modelsKeptInDatabase(after: nil, limit: 2) == ["a1", "b2"])
        #expect(try await store.reader.modelsKeptInDatabase(after: "b2", limit: 2) == ["c3"])
        #expect(try await store.reader.modelBytes(hash: "b2") == [1, 2, 3])
        try await store.write { tx in try await tx.removeDatabaseCopy(modelHash: "b2") }
        #expect(try await store.reader.modelBytes(hash: "b2") == nil)
        #expect(try await store.reader.modelsKeptInDatabase(after: nil, limit: 10) == ["a1", "c3"])
        #expect(try await store.reader.model(hash: "b2") != nil, "the analysis stays; only the bytes move")
    }

    @Test("an idempotency key is stored once per scope", arguments: Engine.allCases)
    func idempotencyKeys(engine: Engine) async throws {
        let store = try await engine.makeStore()
        let record = IdempotencyRecord(
            scope: "s", key: "k", requestHash: "h", resultID: "o-1", createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        try await store.write { tx in try await tx.insert(idempotency: record) }

        await #expect(throws: StorageError.self) {
            try await store.write { tx in try await tx.insert(idempotency: record) }
        }
        #expect(try await store.reader.idempotency(scope: "s", key: "k") == record)
        #expect(try await store.reader.idempotency(scope: "other", key: "k") == nil)
    }

    @Test("sessions expire at their end and after idling; a disabled account has none", arguments: Engine.allCases)
    func sessions(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.write { tx in
            try await tx.insertSession(tokenHash: "t", userID: customer.userID, createdAt: now, expiresAt: now.addingTimeInterval(60))
            try await tx.insertSession(tokenHash: "u", userID: customer.userID, createdAt: now, expiresAt: now.addingTimeInterval(600))
        }
        let longAgo = now.addingTimeInterval(-3600)

        #expect(try await store.reader.session(tokenHash: "t", at: now, idleSince: longAgo)?.0.id == customer.userID)
        #expect(try await store.reader.session(tokenHash: "t", at: now.addingTimeInterval(61), idleSince: longAgo) == nil)
        #expect(try await store.reader.session(tokenHash: "unknown", at: now, idleSince: longAgo) == nil)
        // Idle: not used since before `idleSince`.
        #expect(try await store.reader.session(tokenHash: "u", at: now, idleSince: now.addingTimeInterval(1)) == nil)
        try await store.write { tx in try await tx.touchSession(tokenHash: "u", at: now.addingTimeInterval(5)) }
        #expect(try await store.reader.session(tokenHash: "u", at: now, idleSince: now.addingTimeInterval(1)) != nil)

        // The purge removes what has ended, and nothing else.
        let purged = try await store.write { tx in
            try await tx.deleteExpiredSessions(at: now.addingTimeInterval(100), idleSince: longAgo)
        }
        #expect(purged == 1)
        #expect(try await store.reader.session(tokenHash: "u", at: now, idleSince: longAgo) != nil)

        try await store.write { tx in try await tx.update(userID: customer.userID, disabledAt: now) }
        #expect(try await store.reader.session(tokenHash: "u", at: now, idleSince: longAgo) == nil, "a disabled account")
        let ended = try await store.write { tx in try await tx.deleteSessions(userID: customer.userID, except: nil) }
        #expect(ended == 1)
    }

    @Test("concurrent transactions do not lose updates", arguments: Engine.allCases)
    func concurrentWrites(engine: Engine) async throws {
        let store = try await engine.makeStore()
        try await insertCustomer(store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask {
                    try await store.write { tx in
                        try await tx.insert(
                            order: Order(
                                id: "c-\(i)", customerID: customer.userID, materialCode: "m", finishCodes: [],
                                createdAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(i))))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.reader.statusCounts()[.initiated] == 40)
        #expect(try await store.reader.orders(OrderFilter(), page: PageRequest(limit: 200)).items.count == 40)
    }
}
