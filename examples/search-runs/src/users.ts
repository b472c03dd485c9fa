import type { SearchUser } from './schedule-searches.ts'

/**
 * The users whose searches the schedule refreshes, with their saved preferences: in a real app, the
 * users table. Anyone may sign in to the page; these are the ones the schedule knows.
 */
export const DEMO_USERS: SearchUser[] = [
  { id: 'alice', search: { jobTitle: 'software engineer', location: 'London' } },
  { id: 'bob', search: { jobTitle: 'nurse', location: 'Leeds' } },
  { id: 'carol', search: { jobTitle: 'designer', location: 'Bristol', site: 'linkedin' } },
]
