#!/usr/bin/env node
// tests/deploy/check.js - the Kubernetes manifests `wellosc gen` writes for
// each etl tenant (generated/<example>/<tenant>_kubernetes.yaml): each is
// parsed as strict YAML, validated against Kubernetes' OpenAPI schema (the
// npm package kubernetes-models; no cluster involved), and checked for what
// the agent relies on: its own binary, --once under a CronJob, one run at a
// time, its DSN variables (the ones its generated source reads) from the
// Secret of the same name, a 64 MiB memory limit, a schedule of the spec's
// interval.
//
//   node check.js [DIR...]      check the manifests under DIR (default: generated/)
//   node check.js --self-test   prove that the check rejects broken manifests
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { CronJob } = require('kubernetes-models/batch/v1/CronJob');
const { Deployment } = require('kubernetes-models/apps/v1/Deployment');

const root = path.resolve(__dirname, '..', '..');

// Problems of one manifest's text, [] when it is right.  `tenant`, `envs`
// (the DSN variables) and `minutes` (the interval) say what it must hold.
function problems(text, tenant, envs, minutes) {
    let doc;
    try {
        const docs = YAML.parseAllDocuments(text, { strict: true, uniqueKeys: true, prettyErrors: false });
        if (docs.length !== 1)
            return [`${docs.length} YAML documents, not 1`];
        if (docs[0].errors.length)
            return docs[0].errors.map((e) => `YAML: ${e.message}`);
        doc = docs[0].toJS();
    } catch (e) {
        return [`YAML: ${e.message}`];
    }
    const out = [];
    const kinds = { CronJob, Deployment };
    if (!doc || !kinds[doc.kind])
        return [`kind ${doc && doc.kind}: neither CronJob nor Deployment`];
    try {
        new kinds[doc.kind](doc).validate();
    } catch (e) {
        out.push(`schema: ${e.message}`);
        return out;
    }
    const name = doc.metadata.name;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 52)
        out.push(`metadata.name '${name}' is not a CronJob name (DNS-1123, at most 52 characters)`);
    const isCron = doc.kind === 'CronJob';
    const pod = isCron ? doc.spec.jobTemplate.spec.template.spec : doc.spec.template.spec;
    if (pod.containers.length !== 1)
        out.push(`${pod.containers.length} containers, not 1`);
    const c = pod.containers[0];
    const cmd = [`/usr/local/bin/wellos-sync-${tenant}`].concat(isCron ? ['--once'] : []);
    if (JSON.stringify(c.command) !== JSON.stringify(cmd))
        out.push(`command ${JSON.stringify(c.command)}, not ${JSON.stringify(cmd)}`);
    const env = (c.env || []).map((e) => `${e.name}<-${e.valueFrom && e.valueFrom.secretKeyRef &&
                                                       `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`}`);
    const want = envs.map((e) => `${e}<-${name}/${e}`);
    if (JSON.stringify(env) !== JSON.stringify(want))
        out.push(`env ${JSON.stringify(env)}, not ${JSON.stringify(want)}`);
    if (!new RegExp(`^${name}:spec-[0-9a-f]{16}$`).test(c.image || ''))
        out.push(`image '${c.image}', not ${name}:spec-<the spec's hash>`);
    if (!c.resources || !c.resources.limits || c.resources.limits.memory !== '64Mi')
        out.push('no 64Mi memory limit');
    if (!c.securityContext || c.securityContext.allowPrivilegeEscalation !== false || !pod.securityContext ||
        pod.securityContext.runAsNonRoot !== true)
        out.push('runs as root or may gain privileges');
    if (isCron) {
        if (doc.spec.concurrencyPolicy !== 'Forbid')
            out.push(`concurrencyPolicy ${doc.spec.concurrencyPolicy}, not Forbid`);
        if (doc.spec.jobTemplate.spec.template.spec.restartPolicy !== 'Never')
            out.push('restartPolicy is not Never');
        const m = /^(\d+)-59\/(\d+) \* \* \* \*$/.exec(doc.spec.schedule);
        const h = /^(\d+) (\d+)-23\/(\d+) \* \* \*$/.exec(doc.spec.schedule);
        const ok = (m && Number(m[2]) === minutes && Number(m[1]) < minutes) ||
                   (h && Number(h[3]) * 60 === minutes && Number(h[1]) < 60 && Number(h[2]) < Number(h[3])) ||
                   (doc.spec.schedule === '* * * * *' && minutes === 1) ||
                   (/^\d+ \d+ \* \* \*$/.test(doc.spec.schedule) && minutes === 1440);
        if (!ok)
            out.push(`schedule '${doc.spec.schedule}' is not every ${minutes} minutes`);
    } else {
        if (doc.spec.replicas !== 1 || !doc.spec.strategy || doc.spec.strategy.type !== 'Recreate')
            out.push('a Deployment must run one agent, replaced not rolled');
        if (!/^(\d+ (day|hour|minute)s?)$/.test(everyOf(text) || '') || [1, 1440].includes(minutes) ||
            (minutes < 60 && 60 % minutes === 0) || (minutes % 60 === 0 && 24 % (minutes / 60) === 0))
            out.push(`a Deployment for an interval cron can say (${minutes} minutes)`);
    }
    return out;
}

// "every 15 minutes" from the header comment.
function everyOf(text) {
    const m = /^# The sync agent of tenant \S+ \(\S+ -> \S+\), every ([^:]+):/m.exec(text);
    return m ? m[1] : null;
}

function minutesOf(every) {
    const m = /^(\d+) (minute|hour|day)s?$/.exec(every || '');
    return m ? Number(m[1]) * { minute: 1, hour: 60, day: 1440 }[m[2]] : NaN;
}

// Every manifest under dir, with what its tenant's generated source says.
function manifests(dir) {
    const list = [];
    for (const f of fs.readdirSync(dir).sort()) {
        const p = path.join(dir, f);
        if (fs.statSync(p).isDirectory()) {
            list.push(...manifests(p));
        } else if (f.endsWith('_kubernetes.yaml')) {
            const tenant = f.slice(0, -'_kubernetes.yaml'.length);
            const sync = path.join(dir, `${tenant}_sync.c`);
            const src = fs.existsSync(sync) ? fs.readFileSync(sync, 'utf8') : '';
            const envs = ['source_env', 'target_env'].map((k) => {
                const m = new RegExp(`\\.${k} = "([A-Za-z_][A-Za-z0-9_]*)"`).exec(src);
                return m ? m[1] : `(no ${k} in ${sync})`;
            });
            list.push({ file: p, tenant, envs });
        }
    }
    return list;
}

function check(dirs) {
    let n = 0;
    let bad = 0;
    for (const dir of dirs) {
        for (const m of manifests(dir)) {
            const text = fs.readFileSync(m.file, 'utf8');
            const errs = problems(text, m.tenant, m.envs, minutesOf(everyOf(text)));
            n++;
            if (errs.length) {
                bad++;
                console.log(`${path.relative(root, m.file)}: ${errs.join('; ')}`);
            }
        }
    }
    console.log(`deploy-check: ${n} Kubernetes manifests parsed and validated, ${bad} with problems`);
    return n === 0 || bad ? 1 : 0;
}

// Each mutation of a good manifest must be refused.
function selfTest() {
    const list = manifests(path.join(root, 'generated'));
    if (list.length === 0) {
        console.log('self-test: no manifest in generated/');
        return 1;
    }
    const m = list[0];
    const good = fs.readFileSync(m.file, 'utf8');
    const minutes = minutesOf(everyOf(good));
    const mutants = [
        ['a YAML syntax error', (t) => t.replace('kind: CronJob', 'kind: CronJob\n  oops: [')],
        ['a key twice', (t) => t.replace('kind: CronJob', 'kind: CronJob\nkind: CronJob')],
        ['a number as text', (t) => t.replace('backoffLimit: 0', 'backoffLimit: "none"')],
        ['no image', (t) => t.replace(/^( *)image: .*\n/m, '')],
        ['a second run allowed', (t) => t.replace('concurrencyPolicy: Forbid', 'concurrencyPolicy: Allow')],
        ['another interval', (t) => t.replace(/-59\/\d+ /, '-59/7 ')],
        ['without --once', (t) => t.replace(', "--once"', '')],
        ['a DSN from the wrong Secret', (t) => t.replace(/secretKeyRef: \{name: [^,]+,/, 'secretKeyRef: {name: other,')],
        ['no memory limit', (t) => t.replace('limits: {memory: 64Mi}', 'limits: {memory: 1Gi}')],
        ['an upper-case name', (t) => t.replace(/^  name: (.*)$/m, '  name: Wellos-$1')],
    ];
    let failures = 0;
    if (problems(good, m.tenant, m.envs, minutes).length) {
        console.log(`FAIL: ${m.file} itself has problems`);
        failures++;
    }
    for (const [what, mutate] of mutants) {
        const text = mutate(good);
        if (text === good) {
            console.log(`FAIL: the mutation '${what}' changed nothing`);
            failures++;
        } else if (problems(text, m.tenant, m.envs, minutes).length === 0) {
            console.log(`FAIL: accepted ${what}`);
            failures++;
        }
    }
    console.log(`self-test: ${mutants.length - failures} of ${mutants.length} broken manifests rejected` +
                (failures ? `: FAILED (${failures})` : ': the check can fail'));
    return failures ? 1 : 0;
}

const args = process.argv.slice(2);
process.exit(args[0] === '--self-test' ? selfTest() : check(args.length ? args : [path.join(root, 'generated')]));
