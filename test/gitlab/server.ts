export * from '../../workloads/gitlab-server.js';
