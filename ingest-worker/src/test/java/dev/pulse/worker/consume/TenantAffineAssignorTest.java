package dev.pulse.worker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TenantAffineAssignorTest {
    private static final Map<String, Integer> TOPICS = Map.of("t-a", 4, "t-b", 3, "t-c", 3, "t-d", 2, "t-e", 1, "t-f", 1);

    @Test
    void everyTopicIsWholeOnOneMemberAndTheLoadIsBalanced() {
        Map<String, List<TopicPartition>> assignment = TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w2", "w3"), Map.of());

        assertWholeTopics(assignment);
        assertThat(assignment.values().stream().mapToInt(List::size).sum()).isEqualTo(14);
        // ceil(14 / 3) = 5, and no topic is larger than that: every member within [cap - 4, cap].
        assertThat(assignment.values()).allSatisfy(partitions -> assertThat(partitions.size()).isBetween(1, 5));
    }

    @Test
    void aStableGroupKeepsItsAssignmentExactly() {
        Map<String, List<TopicPartition>> first = TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w2", "w3"), Map.of());
        Map<String, List<TopicPartition>> again = TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w2", "w3"), first);
        assertThat(again).isEqualTo(first);
    }

    @Test
    void aJoiningMemberGetsTopicsInTwoRoundsAndNoPartitionIsEverGivenWhileAnotherMemberOwnsIt() {
        Map<String, List<TopicPartition>> before = TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w2"), Map.of());
        Map<String, List<TopicPartition>> owned = new HashMap<>(before);
        owned.put("w3", List.of());

        Map<String, List<TopicPartition>> round1 = TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w2", "w3"), owned);
        assertCooperative(owned, round1);
        assertThat(round1.get("w3")).isEmpty(); // everything it should get is still owned: revoked first
        Map<String, List<TopicPartition>> round2 = TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w2", "w3"), round1);
        assertCooperative(round1, round2);

        assertWholeTopics(round2);
        assertThat(round2.get("w3")).isNotEmpty();
        assertThat(round2.values().stream().mapToInt(List::size).sum()).isEqualTo(14);
        // A third round changes nothing: the two-round move converged.
        assertThat(TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w2", "w3"), round2)).isEqualTo(round2);
    }

    @Test
    void aTopicSplitAcrossMembersIsGatheredOnTheMemberHoldingMostOfIt() {
        Map<String, Integer> topics = Map.of("t-a", 3);
        Map<String, List<TopicPartition>> owned = Map.of(
                "w1", List.of(tp("t-a", 0), tp("t-a", 1)),
                "w2", List.of(tp("t-a", 2)));

        Map<String, List<TopicPartition>> round1 = TenantAffineAssignor.assign(topics, subscribed("w1", "w2"), owned);
        assertCooperative(owned, round1);
        assertThat(round1.get("w1")).containsExactly(tp("t-a", 0), tp("t-a", 1));
        assertThat(round1.get("w2")).isEmpty();
        Map<String, List<TopicPartition>> round2 = TenantAffineAssignor.assign(topics, subscribed("w1", "w2"), round1);
        assertThat(round2.get("w1")).containsExactly(tp("t-a", 0), tp("t-a", 1), tp("t-a", 2));
    }

    @Test
    void aLeavingMembersTopicsMoveAtOnce() {
        Map<String, List<TopicPartition>> before = TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w2", "w3"), Map.of());
        Map<String, List<TopicPartition>> owned = new HashMap<>(before);
        owned.remove("w2");
        Map<String, List<TopicPartition>> after = TenantAffineAssignor.assign(TOPICS, subscribed("w1", "w3"), owned);

        assertWholeTopics(after);
        assertThat(after.values().stream().mapToInt(List::size).sum()).isEqualTo(14);
        // The survivors keep what they had.
        assertThat(after.get("w1")).containsAll(before.get("w1"));
        assertThat(after.get("w3")).containsAll(before.get("w3"));
    }

    @Test
    void aTopicLargerThanTheFairShareStaysWholeOnItsOwner() {
        Map<String, Integer> topics = Map.of("big", 12, "t-b", 1, "t-c", 1);
        Map<String, List<TopicPartition>> first = TenantAffineAssignor.assign(topics, subscribed("w1", "w2", "w3"), Map.of());
        assertWholeTopics(first);
        assertThat(TenantAffineAssignor.assign(topics, subscribed("w1", "w2", "w3"), first)).isEqualTo(first);
    }

    @Test
    void aMemberIsOnlyGivenTopicsItSubscribedTo() {
        Map<String, Set<String>> members = new TreeMap<>(Map.of("w1", Set.of("t-a"), "w2", Set.of("t-a", "t-b")));
        Map<String, List<TopicPartition>> assignment = TenantAffineAssignor.assign(Map.of("t-a", 2, "t-b", 2), members, Map.of());
        assertThat(assignment.get("w1")).allSatisfy(tp -> assertThat(tp.topic()).isEqualTo("t-a"));
        assertThat(assignment.get("w2")).contains(tp("t-b", 0), tp("t-b", 1));
    }

    @Test
    void randomMembershipChangesStayCooperativeAndConvergeToWholeTopics() {
        Random random = new Random(42);
        List<String> pool = List.of("w1", "w2", "w3", "w4");
        Map<String, List<TopicPartition>> owned = new HashMap<>();
        for (int step = 0; step < 200; step++) {
            Set<String> live = new HashSet<>();
            for (String m : pool) {
                if (random.nextInt(3) > 0) {
                    live.add(m);
                }
            }
            if (live.isEmpty()) {
                live.add("w1");
            }
            Map<String, List<TopicPartition>> current = new HashMap<>();
            live.forEach(m -> current.put(m, owned.getOrDefault(m, List.of())));
            Map<String, Set<String>> members = subscribed(live.toArray(String[]::new));
            Map<String, List<TopicPartition>> settled = current;
            int rounds = 0;
            while (true) {
                Map<String, List<TopicPartition>> next = TenantAffineAssignor.assign(TOPICS, members, settled);
                assertCooperative(settled, next);
                if (next.equals(settled)) {
                    break;
                }
                rounds++;
                assertThat(rounds).as("rounds until the group settles, step %d: %s -> %s", step, settled, next).isLessThanOrEqualTo(2);
                settled = next;
            }
            assertWholeTopics(settled);
            assertThat(settled.values().stream().mapToInt(List::size).sum()).isEqualTo(14);
            owned.clear();
            owned.putAll(settled);
        }
    }

    /** What the consumer's cooperative validation refuses: a partition revoked from one member and added to another at once. */
    private static void assertCooperative(Map<String, List<TopicPartition>> owned, Map<String, List<TopicPartition>> assigned) {
        Set<TopicPartition> revoked = new HashSet<>();
        Set<TopicPartition> added = new HashSet<>();
        assigned.forEach((member, partitions) -> {
            List<TopicPartition> before = owned.getOrDefault(member, List.of());
            partitions.stream().filter(tp -> !before.contains(tp)).forEach(added::add);
            before.stream().filter(tp -> !partitions.contains(tp)).forEach(revoked::add);
        });
        added.retainAll(revoked);
        assertThat(added).as("partitions revoked and added in one rebalance").isEmpty();
    }

    private static void assertWholeTopics(Map<String, List<TopicPartition>> assignment) {
        Map<String, String> holder = new HashMap<>();
        assignment.forEach((member, partitions) -> partitions.forEach(tp -> {
            String other = holder.putIfAbsent(tp.topic(), member);
            assertThat(other == null || other.equals(member)).as(tp.topic() + " on " + member + " and " + other).isTrue();
        }));
        List<TopicPartition> all = new ArrayList<>();
        assignment.values().forEach(all::addAll);
        assertThat(new HashSet<>(all)).hasSameSizeAs(all);
    }

    private static Map<String, Set<String>> subscribed(String... members) {
        Map<String, Set<String>> result = new TreeMap<>();
        for (String m : members) {
            Set<String> topics = new HashSet<>(TOPICS.keySet());
            topics.add("big");
            result.put(m, topics);
        }
        return result;
    }

    private static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }
}
