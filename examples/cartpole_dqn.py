"""Deep Q-learning (DQN) balances the pole of gymnasium's CartPole-v1.

    pip install gymnasium
    python examples/cartpole_dqn.py         # a few minutes on 2 cores

A Q-network estimates, for a state, the return of each action (push left, push right).
It learns from a replay buffer of past transitions, toward targets
y = r + gamma * max_a' Q_target(s', a') from a target network synced every 500 steps,
while the agent explores epsilon-greedily. The greedy policy is checked every 10
episodes; training stops once it keeps the pole up for the full 500 steps each time.
(`baeum train cartpole-dqn` is the full recipe: best-weights selection, 100-episode test.)
"""

import copy

import gymnasium as gym
import numpy as np

import baeum
from baeum import layers, losses, optimizers
from baeum.models import Sequential

GAMMA, BATCH_SIZE, SYNC_EVERY = 0.99, 64, 500
baeum.random.seed(0)
rng = baeum.random.get_generator()
env = gym.make("CartPole-v1")

q_network = Sequential([
    layers.Input(shape=(4,)),
    layers.Dense(128, activation="relu"),
    layers.Dense(128, activation="relu"),
    layers.Dense(2),                       # Q(s, left), Q(s, right)
])
target_network = copy.deepcopy(q_network)
optimizer = optimizers.Adam(q_network.trainable_weights, learning_rate=5e-4, global_clipnorm=10)
huber = losses.Huber()

# The replay buffer: the last 50,000 transitions as NumPy arrays.
capacity = 50_000
states = np.zeros((capacity, 4), np.float32)
actions = np.zeros(capacity, np.int64)
rewards = np.zeros(capacity, np.float32)
next_states = np.zeros((capacity, 4), np.float32)
ended = np.zeros(capacity, np.float32)


def greedy(state):
    with baeum.no_grad():                  # acting needs no graph
        return int(q_network(state[None]).numpy()[0].argmax())


def greedy_return(seed):
    state, _ = env.reset(seed=seed)
    total, done = 0.0, False
    while not done:
        state, reward, terminated, truncated, _ = env.step(greedy(state))
        total, done = total + reward, terminated or truncated
    return total


step = 0
state, _ = env.reset(seed=0)
for episode in range(1, 1501):
    if episode > 1:
        state, _ = env.reset()
    total, done = 0.0, False
    while not done:
        epsilon = max(0.05, 1 - step / 10_000)     # explore less and less
        action = int(rng.integers(2)) if rng.random() < epsilon else greedy(state)
        next_state, reward, terminated, truncated, _ = env.step(action)
        i = step % capacity
        states[i], actions[i], rewards[i] = state, action, reward
        next_states[i], ended[i] = next_state, terminated   # a time limit is not an end
        state, total, step, done = next_state, total + reward, step + 1, terminated or truncated

        if step >= 1_000:                              # learn from a random minibatch
            idx = rng.integers(0, min(step, capacity), BATCH_SIZE)
            with baeum.no_grad():
                best_next = target_network(next_states[idx]).numpy().max(axis=1)
            targets = rewards[idx] + GAMMA * (1 - ended[idx]) * best_next
            q_taken = q_network(states[idx], training=True)[np.arange(BATCH_SIZE), actions[idx]]
            loss = huber(targets[:, None], q_taken[:, None])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if step % SYNC_EVERY == 0:
            target_network.set_weights(q_network.get_weights())

    if episode % 10 == 0:
        check = np.mean([greedy_return(seed) for seed in range(100_000, 100_010)])
        print(f"episode {episode:3d}  steps {step:6d}  epsilon {epsilon:.2f}  "
              f"last return {total:5.0f}  greedy check {check:5.1f}", flush=True)
        if check == 500:
            break

q_network.save("cartpole_q_network.baeum")
print("saved cartpole_q_network.baeum")
