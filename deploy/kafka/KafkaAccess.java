// Makes a Kafka cluster's principals and ACLs exactly what Gatepost's access table says
// (gatepost_common/access.py), through the Admin API, as the super user.
//
//   java -cp <kafka jars>/* KafkaAccess.java BOOTSTRAP ADMIN_PASSWORD < lines
//
// Lines on standard input:
//   user NAME PASSWORD                      a SCRAM-SHA-256 principal (created or its password set)
//   acl NAME OPERATION TOPIC|GROUP RESOURCE  an ALLOW entry for User:NAME
// ACLs of users that are not in the lines' table are deleted, so a removed right is gone.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaAccess {
    public static void main(String[] args) throws Exception {
        Properties config = new Properties();
        config.put("bootstrap.servers", args[0]);
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", "SCRAM-SHA-256");
        config.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\""
                        + args[1]
                        + "\";");
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        Set<AclBinding> wanted = new HashSet<>();
        BufferedReader input =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = input.readLine(); line != null; line = input.readLine()) {
            String[] word = line.trim().split("\\s+");
            if (word[0].equals("user")) {
                users.add(
                        new UserScramCredentialUpsertion(
                                word[1],
                                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                                word[2]));
            } else if (word[0].equals("acl")) {
                wanted.add(
                        new AclBinding(
                                new ResourcePattern(
                                        ResourceType.valueOf(word[3]), word[4], PatternType.LITERAL),
                                new AccessControlEntry(
                                        "User:" + word[1],
                                        "*",
                                        AclOperation.valueOf(word[2]),
                                        AclPermissionType.ALLOW)));
            }
        }
        try (Admin admin = Admin.create(config)) {
            if (!users.isEmpty()) {
                admin.alterUserScramCredentials(users).all().get(60, TimeUnit.SECONDS);
            }
            List<AclBindingFilter> stale = new ArrayList<>();
            for (AclBinding existing : admin.describeAcls(AclBindingFilter.ANY).values().get()) {
                if (!wanted.contains(existing)) {
                    stale.add(existing.toFilter());
                }
            }
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale).all().get(60, TimeUnit.SECONDS);
            }
            admin.createAcls(wanted).all().get(60, TimeUnit.SECONDS);
        }
        System.out.println(users.size() + " principals, " + wanted.size() + " ACL entries");
    }
}
