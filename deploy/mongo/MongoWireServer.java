// A MongoDB wire-protocol server for local runs and tests: mongo-java-server with its H2 MVStore
// backend, so data survives a restart; with DATA_FILE ":memory:", its memory backend (benchmarks:
// nothing to keep, and several times less work per command than reading and writing the store).
// Usage: java -cp '<libs>/*' MongoWireServer.java HOST PORT DATA_FILE
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;

public class MongoWireServer {
    /** PyMongo 4.14+ refuses servers below wire version 9; the library's MONGO_5_0 announces 8. */
    enum AnnouncedVersion implements MongoVersion {
        MONGO_5_0;

        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: MongoWireServer HOST PORT DATA_FILE");
            System.exit(2);
        }
        boolean inMemory = args[2].equals(":memory:");
        AbstractMongoBackend backend = inMemory ? new MemoryBackend() : new H2Backend(args[2]);
        MongoServer server = new MongoServer(backend.version(AnnouncedVersion.MONGO_5_0));
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        server.bind(args[0], Integer.parseInt(args[1]));
        String kept = inMemory ? "in memory" : "in " + args[2];
        System.out.println(
                "mongo wire server (data " + kept + ") listening on " + args[0] + ":" + args[1]);
        Thread.currentThread().join();
    }
}
