// Containers, Kubernetes, cloud and databases: the operations that destroy or expose things.
import type { CommandFact } from '../types.ts';
import type { Rule } from './types.ts';
import { opts, subIn } from './helpers.ts';
import { normalize } from '../resolve.ts';
import { isSecretPath } from './remote.ts';
import { LOCAL_URL } from './network.ts';

const CONTAINER_CLIS = ['docker', 'podman', 'nerdctl', 'finch'];

/** `docker [global opts] container run …` → ['run', args…] with `container`/`image` folded in. */
function dockerArgs(f: CommandFact): { cmd: string; sub: string; args: string[] } {
  const a = f.argv;
  let i = 1;
  while (i < a.length && a[i]!.startsWith('-')) i += /^(-H|--host|--context|-c|--config|--log-level|-l|--url|--connection)$/.test(a[i]!) ? 2 : 1;
  let cmd = a[i] ?? '';
  let sub = a[i + 1] ?? '';
  let args = a.slice(i + 1);
  if (/^(container|image|volume|network|system|builder|buildx|compose|stack|service|secret|config|node|plugin|context|pod|machine|manifest)$/.test(cmd)) {
    args = a.slice(i + 2);
  } else sub = '';
  // `docker-compose up` is `docker compose up`.
  if (f.name === 'docker-compose' || f.name === 'podman-compose') {
    sub = cmd;
    cmd = 'compose';
    args = a.slice(i + 1);
  }
  return { cmd, sub, args };
}

const DANGEROUS_MOUNT = /^(\/|\/etc|\/root|\/home|\/Users|\/var|\/usr|\/boot|\/dev|\/proc|\/sys|\/var\/run\/docker\.sock|\/run\/docker\.sock|\/run\/podman\/podman\.sock|\/var\/run|\/run)$/;

function runFlags(args: string[], home: string): string | undefined {
  for (let k = 0; k < args.length; k++) {
    const x = args[k]!;
    if (x === '--privileged' || /^--(pid|ipc|uts|userns|cgroupns)(=|$)/.test(x) && (x.endsWith('=host') || args[k + 1] === 'host')) return x;
    if (/^--cap-add(=|$)/.test(x) && /ALL|SYS_ADMIN|SYS_PTRACE|SYS_MODULE|DAC_READ_SEARCH/.test(x + ' ' + (args[k + 1] ?? ''))) return x;
    if (/^--security-opt(=|$)/.test(x) && /unconfined|disable/.test(x + ' ' + (args[k + 1] ?? ''))) return x;
    if (/^--device(=|$)/.test(x)) return x;
    let vol: string | undefined;
    if (x === '-v' || x === '--volume') vol = args[k + 1];
    else if (x.startsWith('--volume=')) vol = x.slice(9);
    else if (x.startsWith('-v') && x.length > 2) vol = x.slice(x[2] === '=' ? 3 : 2);
    else if (x === '--mount' || x.startsWith('--mount=')) {
      const m = (x === '--mount' ? args[k + 1] : x.slice(8)) ?? '';
      vol = /(?:source|src)=([^,]+)/.exec(m)?.[1];
    }
    if (vol !== undefined) {
      const src = vol.split(':')[0] ?? '';
      if (src.startsWith('/')) {
        const n = normalize(src);
        // Host root/system/home, the engine's socket — or your credentials (~/.ssh, ~/.aws, ~/.kube…).
        if (DANGEROUS_MOUNT.test(n) || n === home || isSecretPath(n, home)) return `-v ${vol}`;
      }
    }
  }
  return undefined;
}

const sqlDestroys = (sql: string): string | undefined => {
  const m =
    /\b(DROP\s+(DATABASE|TABLE|SCHEMA|USER|ROLE|OWNED|INDEX|VIEW|COLLECTION)\b|TRUNCATE\b|DELETE\s+FROM\s+[\w."`[\]]+\s*(;|$|\)|')|UPDATE\s+[\w."`]+\s+SET\s+[^;]*?(;|$)(?![^;]*WHERE)|ALTER\s+TABLE\s+\S+\s+DROP\b|FLUSHALL|FLUSHDB|dropDatabase\(|\.drop\(\)|deleteMany\(\s*\{\s*\}\s*\)|\.remove\(\s*\{\s*\}\s*\))/i.exec(sql);
  if (!m) return undefined;
  // `UPDATE … SET … WHERE` is fine; the lookahead above is weak, so check the statement itself.
  if (/^UPDATE/i.test(m[0]) && /\bWHERE\b/i.test(sql)) return undefined;
  return m[0].trim();
};

const DB_CLIENTS = ['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlite', 'mongosh', 'mongo', 'redis-cli', 'cqlsh', 'clickhouse-client', 'clickhouse', 'sqlcmd', 'duckdb', 'cockroach', 'dropdb', 'mysqladmin', 'dropuser'];

export const infraRules: Rule[] = [
  {
    id: 'containers.host-escape',
    group: 'containers',
    risk: 'high',
    commands: CONTAINER_CLIS,
    message: 'runs a container with host-level access (host root/home or your credentials mounted, privileged, host pid, docker socket)',
    why: 'such a container can read or change anything on the host',
    match: (i) => {
      const d = dockerArgs(i.fact);
      if (!/^(run|create|exec)$/.test(d.cmd) && !(d.cmd === 'container' && /^(run|create)$/.test(d.sub))) return false;
      return runFlags(d.args, i.home) ?? false;
    },
    examples: {
      match: ['docker run -v /:/mnt --rm -it alpine sh', 'docker run --privileged x', 'podman run --pid=host x', 'docker run -v /var/run/docker.sock:/var/run/docker.sock x', 'docker run --mount type=bind,source=/etc,target=/e x', 'docker run -v $HOME:/h x', 'docker run -v ~/.ssh:/root/.ssh:ro x', 'docker run -v $HOME/.aws:/a x', 'podman run --mount type=bind,src=/home/dev/.kube/config,dst=/k x'],
      noMatch: ['docker run --rm -it -v "$PWD":/app -w /app node:20 npm test', 'docker run --rm alpine echo hi', 'docker run -v ~/.ssh/id_ed25519.pub:/k.pub x', 'docker run -v ~/.cache/pip:/root/.cache/pip x'],
    },
  },
  {
    id: 'containers.destroy',
    group: 'containers',
    risk: 'high',
    commands: [...CONTAINER_CLIS, 'docker-compose', 'podman-compose'],
    message: 'deletes containers, images, volumes or prunes the engine',
    why: 'volumes hold databases and state that are gone once removed',
    match: (i) => {
      const d = dockerArgs(i.fact);
      const all = [d.cmd, d.sub].join(' ');
      if (/\bprune\b/.test(all)) return `${all} prune`.replace(/ prune prune$/, ' prune').trim();
      if (d.cmd === 'system' && d.sub === 'reset') return 'system reset';
      if ((d.cmd === 'volume' || d.cmd === 'network' || d.cmd === 'secret') && /^(rm|remove)$/.test(d.sub)) return `${d.cmd} rm`;
      if ((d.cmd === 'rm' || d.cmd === 'rmi' || (d.cmd === 'container' || d.cmd === 'image') && /^(rm|remove)$/.test(d.sub)) && d.args.some((x) => /^(-[a-zA-Z]*f[a-zA-Z]*|--force|-v|--volumes|-a|--all)$/.test(x))) return `${d.cmd} ${d.sub} -f`.replace('  ', ' ');
      if (d.cmd === 'compose' && d.sub === 'down' && d.args.some((x) => /^(-v|--volumes|--rmi)/.test(x))) return 'compose down -v';
      if (d.cmd === 'pod' && /^(rm|prune)$/.test(d.sub)) return 'pod rm';
      return false;
    },
    examples: { match: ['docker container prune -f', 'docker system prune -a', 'docker rm -f x', 'docker rmi -f img', 'docker volume rm data', 'docker compose down -v', 'podman volume prune'], noMatch: ['docker images', 'docker rm x', 'docker compose down'] },
  },
  {
    id: 'containers.run',
    group: 'containers',
    risk: 'medium',
    commands: [...CONTAINER_CLIS, 'docker-compose', 'podman-compose'],
    message: 'runs, builds or pulls container images',
    why: 'third-party images execute code and touch the network',
    match: (i) => {
      const d = dockerArgs(i.fact);
      if (/^(run|create|exec|build|pull|push|start|restart|load|import|buildx|login|stop|kill|rm|rmi|cp|commit|tag)$/.test(d.cmd)) return d.cmd;
      if (d.cmd === 'compose' && /^(up|run|build|pull|exec|start|restart|down|create|push|stop|rm|kill)$/.test(d.sub)) return `compose ${d.sub}`;
      if ((d.cmd === 'container' || d.cmd === 'image') && /^(run|create|exec|build|pull|push|start|stop|kill|rm)$/.test(d.sub)) return `${d.cmd} ${d.sub}`;
      return false;
    },
    examples: { match: ['docker run --rm -it node:20 bash', 'docker build -t app .', 'docker compose up -d --build', 'docker pull alpine', 'docker exec -it x sh'], noMatch: ['docker images', 'docker ps', 'docker logs x', 'docker inspect x'] },
  },
  {
    id: 'kubernetes.destroy',
    group: 'kubernetes',
    risk: 'high',
    commands: ['kubectl', 'oc', 'helm', 'k9s', 'kubectx', 'k'],
    message: 'deletes, drains or force-replaces cluster resources',
    why: 'takes workloads down; in production that is an outage',
    match: (i) => {
      const f = i.fact;
      const ops = kubeOperands(f);
      const s = ops[0] ?? '';
      if (f.name === 'helm') return /^(uninstall|delete|del|un|rollback)$/.test(s) ? `helm ${s}` : false;
      if (/^(delete|drain|cordon|taint)$/.test(s)) return `${f.name} ${s}`;
      if (s === 'replace' && f.argv.includes('--force')) return 'replace --force';
      if (s === 'apply' && f.argv.some((a) => a === '--prune' || a.startsWith('--prune='))) return 'apply --prune';
      if (s === 'scale' && f.argv.some((a) => /^--replicas=0$/.test(a))) return 'scale --replicas=0';
      return false;
    },
    examples: { match: ['kubectl delete deployment api --namespace prod', 'kubectl -n prod drain node-1', 'helm uninstall app', 'kubectl replace --force -f x.yaml', 'kubectl scale deploy x --replicas=0'], noMatch: ['kubectl get pods', 'kubectl describe pod api-0', 'kubectl logs x'] },
  },
  {
    id: 'kubernetes.change',
    group: 'kubernetes',
    risk: 'medium',
    commands: ['kubectl', 'oc', 'helm', 'k'],
    message: 'changes cluster state or opens a shell in a pod',
    why: 'changes to a shared cluster affect other people',
    match: (i) => {
      const s = kubeOperands(i.fact)[0] ?? '';
      return /^(apply|create|edit|patch|replace|scale|rollout|exec|run|set|label|annotate|expose|autoscale|install|upgrade|uncordon|port-forward|cp|debug|attach)$/.test(s) ? s : false;
    },
    examples: { match: ['kubectl apply -f x.yaml', 'kubectl exec -it pod -- sh', 'helm install x y'], noMatch: ['kubectl get pods', 'helm list'] },
  },
  {
    id: 'cloud.destroy',
    group: 'cloud',
    risk: 'high',
    commands: ['aws', 'gcloud', 'az', 'terraform', 'tofu', 'terragrunt', 'pulumi', 'gsutil', 'doctl', 'flyctl', 'fly', 'heroku', 'vercel', 'netlify', 'cdk', 'sam', 'eksctl', 'rclone', 's3cmd', 'gh', 'glab', 'npm', 'pnpm', 'yarn', 'cargo', 'gem', 'curl', 'wget', 'http', 'https', 'xh'],
    message: 'destroys or deletes cloud infrastructure or data (a repository, a release, a published package, a DELETE request)',
    why: 'instances, buckets and databases deleted in the cloud are usually gone for good',
    match: (i) => {
      const f = i.fact;
      const a = f.argv;
      const ops = opts(f).operands;
      switch (f.name) {
        case 'aws':
          if (ops[0] === 's3' && (ops[1] === 'rb' || ops[1] === 'rm' && a.includes('--recursive'))) return `s3 ${ops[1]}`;
          return ops.find((x) => /^(delete|terminate|remove|deregister|purge|disable|stop)-/.test(x) || x === 'delete') ?? false;
        case 'gcloud':
        case 'az':
        case 'doctl':
        case 'flyctl':
        case 'fly':
        case 'heroku':
        case 'eksctl':
          return ops.find((x) => /^(delete|destroy|remove|purge|rm|apps:destroy)$/.test(x)) ?? false;
        case 'gsutil':
        case 's3cmd':
          return subIn(f, /^(rm|rb|del)$/);
        case 'rclone':
          return subIn(f, /^(delete|purge|rmdir|rmdirs|sync)$/);
        case 'terraform':
        case 'tofu':
        case 'terragrunt':
          if (ops[0] === 'destroy') return 'destroy';
          if (ops[0] === 'apply' && a.some((x) => x === '-destroy' || x === '--destroy')) return 'apply -destroy';
          if (ops[0] === 'apply' && a.some((x) => x === '-auto-approve' || x === '--auto-approve')) return 'apply -auto-approve';
          if (ops[0] === 'state' && /^(rm|push)$/.test(ops[1] ?? '')) return `state ${ops[1]}`;
          return false;
        case 'pulumi':
          return ops[0] === 'destroy' || ops[0] === 'stack' && ops[1] === 'rm' ? ops.slice(0, 2).join(' ') : ops[0] === 'up' && a.some((x) => x === '--yes' || x === '-y') ? 'up --yes' : false;
        case 'cdk':
        case 'sam':
          return ops[0] === 'destroy' || ops[0] === 'delete' ? ops[0] : false;
        case 'vercel':
        case 'netlify':
          return subIn(f, /^(remove|rm|delete)$/);
        case 'gh':
        case 'glab':
          // Repositories, releases, secrets, workflow runs and caches; a private repository made public.
          if (/^(repo|release|secret|variable|run|cache|label|gist|ssh-key|gpg-key|project|ruleset|environment)$/.test(ops[0] ?? '') && /^(delete|remove|rm|del)$/.test(ops[1] ?? '')) return ops.slice(0, 2).join(' ');
          if (ops[0] === 'repo' && ops[1] === 'edit' && a.some((x, k) => x === '--visibility=public' || (x === '--visibility' && a[k + 1] === 'public'))) return 'repo edit --visibility public';
          if (ops[0] === 'api' && (a.some((x, k) => /^(-X|--method)$/.test(a[k - 1] ?? '') && /^delete$/i.test(x)) || a.some((x) => /^(-XDELETE|--method=DELETE)$/i.test(x)))) return 'api DELETE';
          return false;
        case 'npm':
        case 'pnpm':
        case 'yarn':
          return ops[0] === 'unpublish' || (ops[0] === 'npm' && ops[1] === 'unpublish') ? 'unpublish' : false;
        case 'cargo':
        case 'gem':
          return ops[0] === 'yank' ? 'yank' : false;
        case 'curl':
        case 'wget':
        case 'http':
        case 'https':
        case 'xh': {
          // An HTTP DELETE to another machine (your own localhost API is how you test it).
          const del = f.name === 'curl' ? a.some((x, k) => (/^(-X|--request)$/.test(a[k - 1] ?? '') && /^delete$/i.test(x)) || /^(-XDELETE|--request=DELETE)$/i.test(x)) : f.name === 'wget' ? a.some((x) => /^--method=DELETE$/i.test(x)) : /^delete$/i.test(ops[0] ?? '');
          const url = ops.find((x) => /^(https?:\/\/)?[\w.-]+(:\d+)?(\/|$)/.test(x) && !/^delete$/i.test(x));
          return del && url !== undefined && !LOCAL_URL.test(url) ? `DELETE ${url}` : false;
        }
        default:
          return false;
      }
    },
    examples: {
      match: [
        'terraform apply -auto-approve -destroy', 'terraform destroy', 'aws ec2 terminate-instances --instance-ids i-0123', 'aws s3 rm --recursive s3://b', 'aws s3 rb s3://b --force', 'gcloud compute instances delete x', 'az group delete -n rg', 'pulumi destroy',
        'gh repo delete me/app --yes', 'gh release delete v1.0 -y', 'gh secret delete TOKEN', 'gh repo edit --visibility public', 'gh api -X DELETE repos/me/app', 'glab repo delete me/app', 'npm unpublish pkg --force', 'cargo yank --version 1.0.0', 'curl -X DELETE https://api.example.com/users/1', 'curl -sS --request DELETE api.example.com/v1/db',
      ],
      noMatch: ['terraform fmt', 'terraform plan', 'aws s3 ls', 'gcloud config list', 'gh repo view', 'gh pr list', 'gh api repos/me/app', 'npm publish', 'curl -X DELETE http://localhost:3000/users/1', 'curl https://api.example.com/users'],
    },
  },
  {
    id: 'cloud.change',
    group: 'cloud',
    risk: 'medium',
    commands: ['terraform', 'tofu', 'terragrunt', 'pulumi', 'cdk'],
    message: 'plans or applies infrastructure changes',
    why: 'downloads providers and may change real infrastructure',
    match: (i) => /^(apply|init|plan|up|deploy|import|refresh)$/.test(opts(i.fact).operands[0] ?? '') ? opts(i.fact).operands[0]! : false,
    examples: { match: ['terraform apply', 'terraform init'], noMatch: ['terraform fmt', 'terraform validate'] },
  },
  {
    id: 'database.destroy',
    group: 'database',
    risk: 'high',
    commands: DB_CLIENTS,
    message: 'drops, truncates or wipes database data',
    why: 'deleted rows and tables need a backup to come back',
    match: (i) => {
      const f = i.fact;
      if (f.name === 'dropdb' || f.name === 'dropuser') return f.name;
      if (f.name === 'mysqladmin') return opts(f).operands.some((x) => /^(drop|flush-\w+|shutdown)$/.test(x)) ? 'mysqladmin drop' : false;
      if (f.name === 'redis-cli') return f.argv.find((x) => /^(FLUSHALL|FLUSHDB|SHUTDOWN|DEBUG)$/i.test(x)) ?? sqlDestroys(f.stdinText ?? '') ?? false;
      const texts = [...f.argv.slice(1), f.stdinText ?? ''];
      for (const t of texts) {
        const d = sqlDestroys(t);
        if (d) return d;
      }
      return false;
    },
    examples: {
      match: ['psql prod -c "TRUNCATE users"', "mysql -u root -e 'DROP DATABASE app'", 'sqlite3 app.db "DELETE FROM users"', 'redis-cli FLUSHALL', 'dropdb prod', 'mongosh --eval "db.dropDatabase()"', 'psql <<< "drop table x"', 'echo "DROP TABLE t;" | psql'],
      noMatch: ['psql -c "select 1"', 'psql <<< "select 1"', 'sqlite3 a.db "DELETE FROM t WHERE id=1"', 'redis-cli GET k'],
    },
  },
];

function kubeOperands(f: CommandFact): string[] {
  const a = f.argv;
  const out: string[] = [];
  for (let i = 1; i < a.length; i++) {
    const x = a[i]!;
    if (x === '--') break;
    if (x.startsWith('-')) {
      if (/^(-n|--namespace|--context|--kubeconfig|--cluster|--user|-s|--server|-l|--selector|-f|--filename|-o|--output|-c|--container)$/.test(x)) i++;
      continue;
    }
    out.push(x);
  }
  return out;
}

