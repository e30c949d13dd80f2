package dev.pulse.schemas.tenancy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator role's rules, run as that role: not a superuser, no BYPASSRLS, neither the
 * runtime role nor a member of it, owns nothing in the pulse schemas, holds no privilege on any
 * table there, and may execute the operator functions and no other SECURITY DEFINER function.
 * Every finding is blocking: ingest-api refuses to start its operator control plane.
 */
final class OperatorRoleRules {
    private static final Finding.Rule OPERATOR = IsolationAudit.OPERATOR_ROLE;

    private final AuditRun audit;

    OperatorRoleRules(AuditRun audit) {
        this.audit = audit;
    }

    void run() throws SQLException {
        String[] role = {null};
        audit.query("""
                SELECT current_user, rolsuper, rolbypassrls,
                       pg_has_role(current_user, 'pulse_app', 'MEMBER'),
                       EXISTS (SELECT 1 FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                                WHERE n.nspname LIKE 'pulse%' AND pg_has_role(current_user, cl.relowner, 'MEMBER')),
                       EXISTS (SELECT 1 FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                                WHERE n.nspname LIKE 'pulse%' AND cl.relkind IN ('r', 'p', 'v', 'm')
                                  AND has_table_privilege(current_user, cl.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))
                  FROM pg_roles WHERE rolname = current_user""", rs -> {
                    role[0] = rs.getString(1);
                    if (rs.getBoolean(2)) {
                        audit.block(OPERATOR, role[0], "is a superuser", "connect as pulse_operator");
                    }
                    if (rs.getBoolean(3)) {
                        audit.block(OPERATOR, role[0], "has BYPASSRLS", "ALTER ROLE " + role[0] + " NOBYPASSRLS");
                    }
                    if (rs.getBoolean(4)) {
                        audit.block(OPERATOR, role[0], "is (a member of) the runtime role pulse_app", "connect as pulse_operator; REVOKE the membership");
                    }
                    if (rs.getBoolean(5)) {
                        audit.block(OPERATOR, role[0], "owns (or is a member of the owner of) a relation in a pulse schema",
                                "make the admin role the owner; REVOKE the membership");
                    }
                    if (rs.getBoolean(6)) {
                        audit.block(OPERATOR, role[0], "holds a privilege on a table in a pulse schema; it reads through the operator functions only",
                                "REVOKE ALL ON the table FROM " + role[0]);
                    }
                });
        List<String> executable = new ArrayList<>();
        audit.query(IsolationAudit.EXECUTABLE_DEFINERS_SQL, rs -> executable.add(rs.getString(1)));
        for (String function : IsolationAudit.OPERATOR_FUNCTIONS.stream().sorted().toList()) {
            if (!executable.contains(function)) {
                audit.block(OPERATOR, role[0], "may not execute " + function, "GRANT EXECUTE ON FUNCTION " + function + " TO pulse_operator");
            }
        }
        for (String function : executable) {
            if (!IsolationAudit.OPERATOR_FUNCTIONS.contains(function)) {
                audit.block(OPERATOR, role[0], "may execute the SECURITY DEFINER function " + function + ", which is not an operator function",
                        "REVOKE EXECUTE ON FUNCTION " + function + " FROM PUBLIC, " + role[0]);
            }
        }
    }
}
