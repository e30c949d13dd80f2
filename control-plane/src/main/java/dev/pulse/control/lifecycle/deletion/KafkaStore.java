package dev.pulse.control.lifecycle.deletion;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pulse.schemas.naming.TenantId;
import dev.pulse.schemas.naming.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The tenant's traces in Kafka: its two topics, every consumer group's committed offsets on them
 * (the worker groups, the DLQ indexer's, the usage application's, any other), the groups named
 * after the tenant (the DLQ replay's, {@code pulse-dlq-replay.<tenant id>}), and open
 * transactions touching its partitions. Found by listing every group, never from a list of names,
 * so a group added later is covered.
 */
final class KafkaStore {
    static final String STORE = "kafka";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Admin admin;

    KafkaStore(Admin admin) {
        this.admin = admin;
    }

    static List<String> topics(TenantId tenant) {
        return List.of(Topics.raw(tenant), Topics.dlq(tenant));
    }

    /** What is there now: topics with partitions, records and bytes; groups with offsets on them. */
    ObjectNode measure(TenantId tenant) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        Set<String> existing = existingTopics(tenant);
        ObjectNode topics = out.putObject("topics");
        Map<TopicPartition, Long> sizes = replicaBytes(existing);
        for (String topic : new TreeSet<>(existing)) {
            List<TopicPartition> partitions = partitions(topic);
            long records = 0;
            Map<TopicPartition, Long> earliest = offsets(partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> latest = offsets(partitions, OffsetSpec.latest());
            for (TopicPartition p : partitions) {
                records += latest.getOrDefault(p, 0L) - earliest.getOrDefault(p, 0L);
            }
            long bytes = partitions.stream().mapToLong(p -> sizes.getOrDefault(p, 0L)).sum();
            topics.putObject(topic).put("partitions", partitions.size()).put("records", records).put("bytes", bytes);
        }
        ObjectNode groups = out.putObject("group_offsets");
        groupOffsets(tenant).forEach((group, partitions) -> groups.put(group, partitions.size()));
        out.put("tenant_named_groups", tenantNamedGroups(tenant).size());
        return out;
    }

    /** Deletes the offsets it can, the topics, then every offset and tenant-named group left; waits until all are gone. */
    void delete(TenantId tenant) {
        // Offsets of groups not subscribed to the topics go now; a subscribed group's (the worker's
        // pattern subscription) are refused until the topic is gone, then the coordinator drops them.
        deleteOffsets(tenant);
        Set<String> existing = existingTopics(tenant);
        if (!existing.isEmpty()) {
            try {
                admin.deleteTopics(existing).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw unavailable("could not delete topics " + existing, e.getCause());
                }
            } catch (TimeoutException e) {
                throw unavailable("timed out deleting topics " + existing, e);
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            deleteOffsets(tenant);
            deleteTenantNamedGroups(tenant);
            ObjectNode left = remaining(tenant);
            if (left.path("topics").isEmpty() && left.path("group_offsets").isEmpty() && left.path("tenant_named_groups").isEmpty()
                    && left.path("open_transactions").isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new DeletionException("Kafka still holds traces of tenant " + tenant + " after " + WAIT.toSeconds() + " s: " + left
                        + "; run the deletion again");
            }
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
    }

    /** What is left: topics, groups with offsets on them, tenant-named groups, open transactions on their partitions. */
    ObjectNode remaining(TenantId tenant) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        var topics = out.putArray("topics");
        new TreeSet<>(existingTopics(tenant)).forEach(topics::add);
        var groups = out.putArray("group_offsets");
        groupOffsets(tenant).keySet().forEach(groups::add);
        var named = out.putArray("tenant_named_groups");
        tenantNamedGroups(tenant).forEach(named::add);
        var transactions = out.putArray("open_transactions");
        openTransactions(tenant).forEach(transactions::add);
        return out;
    }

    private Set<String> existingTopics(TenantId tenant) {
        Set<String> names = get(admin.listTopics().names(), "list topics");
        Set<String> own = new TreeSet<>(topics(tenant));
        own.retainAll(names);
        return own;
    }

    private List<TopicPartition> partitions(String topic) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(WAIT.toSeconds(), TimeUnit.SECONDS).get(topic);
            return description.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return List.of();
            }
            throw unavailable("cannot describe " + topic, e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("timed out describing " + topic, e);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        Map<TopicPartition, Long> out = new HashMap<>();
        get(admin.listOffsets(request).all(), "list offsets").forEach((p, info) -> out.put(p, info.offset()));
        return out;
    }

    /** Bytes on disk per partition, summed over every broker's replicas and log directories. */
    private Map<TopicPartition, Long> replicaBytes(Set<String> topics) {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (topics.isEmpty()) {
            return out;
        }
        Collection<Node> nodes = get(admin.describeCluster().nodes(), "describe the cluster");
        Map<Integer, Map<String, LogDirDescription>> dirs = get(admin.describeLogDirs(nodes.stream().map(Node::id).toList()).allDescriptions(),
                "describe log directories");
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription dir : byDir.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                    if (topics.contains(replica.getKey().topic())) {
                        out.merge(replica.getKey(), replica.getValue().size(), Long::sum);
                    }
                }
            }
        }
        return out;
    }

    /** Every group with a committed offset on one of the tenant's topics, with those partitions. */
    private Map<String, Set<TopicPartition>> groupOffsets(TenantId tenant) {
        List<String> topics = topics(tenant);
        Map<String, Set<TopicPartition>> out = new TreeMap<>();
        for (String group : groups()) {
            Map<TopicPartition, OffsetAndMetadata> committed;
            try {
                committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    continue;
                }
                throw unavailable("cannot list the offsets of group " + group, e.getCause());
            } catch (TimeoutException e) {
                throw unavailable("timed out listing the offsets of group " + group, e);
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            Set<TopicPartition> own = new TreeSet<>(java.util.Comparator.comparing(TopicPartition::toString));
            committed.keySet().stream().filter(p -> topics.contains(p.topic())).forEach(own::add);
            if (!own.isEmpty()) {
                out.put(group, own);
            }
        }
        return out;
    }

    private List<String> tenantNamedGroups(TenantId tenant) {
        String id = tenant.toString();
        return groups().stream().filter(g -> g.contains(id)).sorted().toList();
    }

    private List<String> groups() {
        return get(admin.listGroups().all(), "list consumer groups").stream().map(GroupListing::groupId).toList();
    }

    private void deleteOffsets(TenantId tenant) {
        for (Map.Entry<String, Set<TopicPartition>> group : groupOffsets(tenant).entrySet()) {
            try {
                admin.deleteConsumerGroupOffsets(group.getKey(), group.getValue()).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupSubscribedToTopicException) && !(e.getCause() instanceof GroupIdNotFoundException)
                        && !(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw unavailable("cannot delete the offsets of group " + group.getKey(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw unavailable("timed out deleting the offsets of group " + group.getKey(), e);
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
        }
    }

    private void deleteTenantNamedGroups(TenantId tenant) {
        List<String> named = tenantNamedGroups(tenant);
        if (named.isEmpty()) {
            return;
        }
        try {
            admin.deleteConsumerGroups(named).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException) && !(e.getCause() instanceof GroupNotEmptyException)) {
                throw unavailable("cannot delete groups " + named, e.getCause());
            }
        } catch (TimeoutException e) {
            throw unavailable("timed out deleting groups " + named, e);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    /** Transactional ids whose open transaction includes a partition of the tenant's topics. */
    private List<String> openTransactions(TenantId tenant) {
        List<String> topics = topics(tenant);
        List<String> ids = new ArrayList<>();
        for (TransactionListing listing : get(admin.listTransactions().all(), "list transactions")) {
            ids.add(listing.transactionalId());
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        List<String> open = new ArrayList<>();
        var described = admin.describeTransactions(ids);
        ids.forEach(id -> {
            TransactionDescription description;
            try {
                description = described.description(id).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return; // finished and expired between listing and describing: it holds nothing
            } catch (InterruptedException e) {
                throw interrupted(e);
            }
            if (description.topicPartitions().stream().anyMatch(p -> topics.contains(p.topic()))) {
                open.add(id);
            }
        });
        open.sort(null);
        return open;
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw unavailable("Kafka: cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw unavailable("Kafka: timed out trying to " + what, e);
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    private static DeletionException unavailable(String message, Throwable cause) {
        return new DeletionException(message + "; the deletion can be run again to finish", cause);
    }

    private static DeletionException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new DeletionException("interrupted", e);
    }
}
