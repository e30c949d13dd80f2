package dev.pulse.worker.consume;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;

/**
 * Assigns each topic — one tenant's raw topic — whole to one member of the worker group, so that
 * one tenant's tables have one writer per group: two workers never race to commit the same
 * Iceberg table (each commit would otherwise refresh, lose to the other and start over), and a
 * tenant's batch is one table commit per dataset, not one per worker holding a partition.
 *
 * <p>Balance is by partitions: a topic stays with the member that holds most of its partitions
 * while that member stays within {@code ceil(partitions / members)} or holds only this topic;
 * otherwise it goes to the member holding the fewest. Topics are taken largest first in one pass. One tenant's throughput is thus
 * bounded by one worker; tenants that need more get a dedicated worker group (issue 12's bridge
 * model), and a group's capacity grows with its tenants, not with one tenant's partitions.
 *
 * <p>Cooperative (incremental): a partition some member owns is never handed to another member in
 * the same rebalance — it is left out, its owner revokes it, and the follow-up rebalance the
 * consumer requests assigns it. The consumer checks exactly this
 * ({@code ConsumerCoordinator}'s cooperative validation), and members keep every partition that does not move.
 */
public final class TenantAffineAssignor implements ConsumerPartitionAssignor {
    public static final String NAME = "pulse-tenant-affine";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<RebalanceProtocol> supportedProtocols() {
        return List.of(RebalanceProtocol.COOPERATIVE);
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        Map<String, Subscription> subscriptions = groupSubscription.groupSubscription();
        Map<String, Integer> partitionsPerTopic = new TreeMap<>();
        for (Subscription subscription : subscriptions.values()) {
            for (String topic : subscription.topics()) {
                Integer count = metadata.partitionCountForTopic(topic);
                if (count != null && count > 0) {
                    partitionsPerTopic.put(topic, count);
                }
            }
        }
        Map<String, List<TopicPartition>> owned = new HashMap<>();
        subscriptions.forEach((member, subscription) -> owned.put(member, subscription.ownedPartitions()));
        Map<String, List<TopicPartition>> assigned = assign(partitionsPerTopic, memberTopics(subscriptions), owned);
        Map<String, Assignment> result = new HashMap<>();
        assigned.forEach((member, partitions) -> result.put(member, new Assignment(partitions)));
        return new GroupAssignment(result);
    }

    private static Map<String, Set<String>> memberTopics(Map<String, Subscription> subscriptions) {
        Map<String, Set<String>> topics = new TreeMap<>();
        subscriptions.forEach((member, subscription) -> topics.put(member, new HashSet<>(subscription.topics())));
        return topics;
    }

    /**
     * The assignment as a pure function, for the tests: the topics and their partition counts,
     * each member's subscribed topics, and the partitions each member owns now (may be empty or stale).
     */
    static Map<String, List<TopicPartition>> assign(Map<String, Integer> partitionsPerTopic, Map<String, Set<String>> memberTopics,
            Map<String, List<TopicPartition>> owned) {
        TreeSet<String> members = new TreeSet<>(memberTopics.keySet());
        Map<String, List<TopicPartition>> result = new TreeMap<>();
        members.forEach(m -> result.put(m, new ArrayList<>()));
        if (members.isEmpty()) {
            return result;
        }
        // Who owns what now: a partition claimed by two members (a stale claim) counts for both.
        Map<TopicPartition, Set<String>> owners = new HashMap<>();
        owned.forEach((member, partitions) -> {
            if (members.contains(member) && partitions != null) {
                partitions.forEach(tp -> owners.computeIfAbsent(tp, k -> new HashSet<>()).add(member));
            }
        });
        int total = partitionsPerTopic.values().stream().mapToInt(Integer::intValue).sum();
        int cap = (total + members.size() - 1) / members.size();
        Map<String, Integer> load = new HashMap<>();
        members.forEach(m -> load.put(m, 0));
        Map<String, String> topicOwner = new HashMap<>();

        // One pass, largest topics first (then by name): a topic stays with its incumbent while that
        // fits under the cap, otherwise it goes to the member holding the fewest partitions so far.
        // One pass in a fixed order makes the rebalance that hands over the moved topics decide
        // exactly the same again: the group settles in two rounds.
        List<String> topics = new ArrayList<>(partitionsPerTopic.keySet());
        topics.sort(Comparator.comparing((String t) -> -partitionsPerTopic.get(t)).thenComparing(t -> t));
        for (String topic : topics) {
            int size = partitionsPerTopic.get(topic);
            String chosen = incumbent(topic, size, owners, memberTopics);
            if (chosen == null || load.get(chosen) + size > Math.max(cap, size)) {
                chosen = null;
                for (String member : members) {
                    if (memberTopics.get(member).contains(topic) && (chosen == null || load.get(member) < load.get(chosen))) {
                        chosen = member;
                    }
                }
            }
            if (chosen != null) {
                topicOwner.put(topic, chosen);
                load.merge(chosen, size, Integer::sum);
            }
        }

        // Cooperative: a partition moves only once nobody else owns it.
        topicOwner.forEach((topic, member) -> {
            for (int p = 0; p < partitionsPerTopic.get(topic); p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                Set<String> current = owners.getOrDefault(tp, Set.of());
                if (current.isEmpty() || current.contains(member)) {
                    result.get(member).add(tp);
                }
            }
        });
        result.values().forEach(list -> list.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition)));
        return result;
    }

    /** The subscribed member owning most of the topic's partitions now (ties: the first by member id), or null. */
    private static String incumbent(String topic, int size, Map<TopicPartition, Set<String>> owners, Map<String, Set<String>> memberTopics) {
        Map<String, Integer> held = new TreeMap<>();
        for (int p = 0; p < size; p++) {
            for (String member : owners.getOrDefault(new TopicPartition(topic, p), Set.of())) {
                if (memberTopics.get(member).contains(topic)) {
                    held.merge(member, 1, Integer::sum);
                }
            }
        }
        String best = null;
        for (var entry : held.entrySet()) {
            if (best == null || entry.getValue() > held.get(best)) {
                best = entry.getKey();
            }
        }
        return best;
    }
}
