// Helpers shared by the end-to-end specs: reading nodes through their data attributes,
// waiting for a leader, and acting on a node through its menu.
import { expect } from './fixtures';
import type { Locator, Page } from '@playwright/test';

/** Time allowed for an election, a re-election or a client operation. */
export const RAFT_TIMEOUT_MS = 20_000;

export type NodeView = { id: number; role: string; status: string; term: number };

export const nodeLocator = (page: Page): Locator => page.locator('svg [data-node-id]');
export const nodeById = (page: Page, id: number): Locator =>
  page.locator(`svg [data-node-id="${id}"]`);

/** One consistent snapshot of every node's data attributes. */
export async function readNodes(page: Page): Promise<NodeView[]> {
  return nodeLocator(page).evaluateAll((els) =>
    els.map((el) => ({
      id: Number(el.getAttribute('data-node-id')),
      role: el.getAttribute('data-role') ?? '',
      status: el.getAttribute('data-status') ?? '',
      term: Number(el.getAttribute('data-term')),
    })),
  );
}

/** Up leaders in the current snapshot, highest term first. */
export async function upLeaders(page: Page): Promise<NodeView[]> {
  return (await readNodes(page))
    .filter((n) => n.role === 'leader' && n.status === 'up')
    .sort((a, b) => b.term - a.term);
}

/** Waits until some node that is up is leader; returns the highest-term one. */
export async function waitForLeader(page: Page, accept: (n: NodeView) => boolean = () => true): Promise<NodeView> {
  let found: NodeView | undefined;
  await expect
    .poll(
      async () => {
        found = (await upLeaders(page)).find(accept);
        return found !== undefined;
      },
      { message: 'a leader is elected', timeout: RAFT_TIMEOUT_MS },
    )
    .toBe(true);
  return found!;
}

/** Moves the speed slider to its maximum (fill sets the value and fires input + change). */
export async function setMaxSpeed(page: Page): Promise<void> {
  const speed = page.getByTestId('speed');
  const max = await speed.getAttribute('max');
  if (max !== null) await speed.fill(max);
}

/** A visible action button (data-action = crash | restart | timeout). */
export const actionButton = (page: Page, action: string): Locator =>
  page.locator(`[data-action="${action}"]`).filter({ visible: true }).first();

/**
 * Clicks node `id` and then its `action` button. The node is clicked like a
 * user would, at its centre; a message flying over the node can take the click,
 * so the click is retried until the action button shows up.
 */
export async function nodeAction(page: Page, id: number, action: string): Promise<void> {
  const node = nodeById(page, id);
  await expect(node).toHaveCount(1);
  await expect(async () => {
    if (!(await actionButton(page, action).isVisible())) {
      await node.click({ force: true, timeout: 2_000 });
    }
    await expect(actionButton(page, action)).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
  await actionButton(page, action).click();
}

